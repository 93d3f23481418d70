"""The post takeaways agent: the key points of a post, each one a quoted span of its body.

The post is the open post page, a post named by id ("post 12", "#12"), or a post named in
words ("the post that says thinking out loud beats silent brilliance"): its distinctive words
are searched with ``search_posts`` and the result that shares the most of them wins, provided it
shares at least half of them. Otherwise the agent says plainly that it could not find the post.

The takeaways are extracted, never written: the body is split into sentences (exact character
offsets kept), each sentence is scored by content-word centrality (how often its content words
occur in the whole post, normalised by its length, with a small bonus for opening a paragraph),
and the best three (four for a long post) are kept in document order. They are sent as a
``post_takeaways`` component before any LLM call; the LLM then only words a summary of them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar

from careerpilot.agents.base import Agent, SkillCall, TurnContext
from careerpilot.agents.prompting import narrate
from careerpilot.errors import NotFoundError
from careerpilot.network.schemas import Page, Post
from careerpilot.pipeline.events import (
    ComponentEvent,
    Event,
    StatusEvent,
    SuggestionsEvent,
    TextEvent,
)
from careerpilot.ui.components import PostTakeaways, Takeaway

__all__ = [
    "PostTakeawaysAgent",
    "Sentence",
    "best_post",
    "extract_takeaways",
    "lookup_words",
    "post_facts",
    "split_sentences",
    "takeaways_component",
]

TAKEAWAYS = 3
TAKEAWAYS_LONG = 4  # for a post of more than LONG_POST sentences
LONG_POST = 12
MIN_WORDS = 6  # shorter sentences are not takeaways ("A quick story first.")
PARAGRAPH_BONUS = 0.15  # relative bonus for the first sentence of a paragraph
SEARCH_LIMIT = 10
MAX_QUERY_CHARS = 200

# "post 12", "post #12", "post id 12", "#12": a post named by id.
_POST_REF = re.compile(r"(?:\bpost\s*(?:id\s*)?#?\s*|#)(\d{1,9})\b", re.IGNORECASE)

# Function words: they say nothing about what a post is about.
_STOPWORDS_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each even ever every few for from further get gets got had
    hadn't has hasn't have haven't having he her here hers herself him himself his how i if in
    into is isn't it it's its itself just let let's like made make makes many may me might more
    most much must my myself no nor not now of off often on once one only or other our ours
    ourselves out over own really same say says said she should shouldn't since so some still
    such than that that's the their theirs them themselves then there there's these they
    they're this those though through to too under until up upon us very was wasn't we we're
    were weren't what what's when where which while who whom whose why will with won't would
    wouldn't yet you you're your yours yourself yourselves i'm i've i'd i'll we've we'll
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# Words that ask for a summary rather than name the post: never searched.
_REQUEST_TEXT = """
    article author gist give key lesson lessons main point points post posts read reading
    summarise summarize summarised summarized summary summaries tell takeaway takeaways tldr
    wrote written writes write pls please thanks explain explained saying talk talks talking
    anything something think thinks want know
"""
_REQUEST_WORDS = frozenset(_REQUEST_TEXT.split())

_ABBREVIATIONS = frozenset(
    ["e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "st", "inc", "ltd", "jr", "sr"]
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LIST_MARKER = re.compile(r"(?:[-*•·–]|\d{1,2}[.)])\s+")
_HASHTAGS = re.compile(r"#\w+(?:\s+#\w+)*")
# A sentence ends at . ! or ? (closing quotes or brackets included) followed by whitespace.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a post body: ``body[start:end] == text``."""

    text: str
    start: int
    end: int
    index: int
    paragraph_start: bool


def _tokens(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def _normalise(word: str) -> str:
    """A light plural fold, so that "interviews" and "interview" count as one word."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "'s")):
        return word[:-1]
    return word


def _content_words(text: str) -> list[str]:
    return [
        _normalise(w)
        for w in _tokens(text)
        if w not in STOPWORDS and len(w) > 2 and not w.isdigit()
    ]


def _is_boundary(line: str, match: re.Match[str]) -> bool:
    """Whether the punctuation ``match`` ends a sentence: not an abbreviation ("e.g. Python")
    and followed by something that starts one (a capital, a digit, a quote or a bracket)."""
    rest = line[match.end() :].lstrip()
    if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘(["):
        return False
    before = line[: match.start()].rsplit(None, 1)
    return not (match.group().startswith(".") and before and before[-1].lower() in _ABBREVIATIONS)


def _split_line(line: str, offset: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of one line, ``offset`` being the line's own."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(line):
        if _is_boundary(line, match):
            spans.append((start, match.end()))
            start = match.end()
    spans.append((start, len(line)))
    out: list[tuple[int, int]] = []
    for low, high in spans:
        piece = line[low:high]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            out.append((offset + low + lead, offset + low + lead + len(stripped)))
    return out


def split_sentences(body: str) -> list[Sentence]:
    """The sentences of ``body`` with their exact offsets. Lines are split too (a list item is a
    sentence of its own, without its marker); lines of hashtags only are left out."""
    sentences: list[Sentence] = []
    paragraph_start = True
    offset = 0
    for line in body.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            paragraph_start = True
            continue
        lead = len(line) - len(line.lstrip())
        marker = _LIST_MARKER.match(line, lead)
        content_start = marker.end() if marker else lead
        content = line[content_start:]
        if _HASHTAGS.fullmatch(content.strip()):
            continue
        for start, end in _split_line(content, line_start + content_start):
            sentences.append(Sentence(body[start:end], start, end, len(sentences), paragraph_start))
            paragraph_start = False
    return sentences


def _is_candidate(sentence: Sentence) -> bool:
    """A statement of some length: not a question to the reader, not a list's lead-in."""
    text = sentence.text.rstrip("\"'”’)] ")
    return len(_tokens(sentence.text)) >= MIN_WORDS and not text.endswith(("?", ":"))


def _scores(sentences: Sequence[Sentence], title: str = "") -> list[float]:
    """Content-word centrality: for each content word of a sentence, the number of sentences of
    the post (the title counting as one) that use it, summed and divided by the sentence's
    length in words; paragraph openers get a small bonus."""
    frequency = Counter(w for s in sentences for w in set(_content_words(s.text)))
    frequency.update(set(_content_words(title)))
    scores = []
    for sentence in sentences:
        words = _tokens(sentence.text)
        central = sum(frequency[w] for w in set(_content_words(sentence.text)))
        score = central / max(len(words), 1)
        scores.append(score * (1 + PARAGRAPH_BONUS) if sentence.paragraph_start else score)
    return scores


def extract_takeaways(body: str, title: str = "") -> list[Sentence]:
    """The 3 most central sentences of ``body`` (4 if it has more than 12), in document order.

    Questions, lead-ins (ending in a colon) and sentences under ``MIN_WORDS`` words are only
    used when there are too few others; a sentence repeated verbatim is taken once.
    """
    sentences = split_sentences(body)
    wanted = TAKEAWAYS_LONG if len(sentences) > LONG_POST else TAKEAWAYS
    scores = _scores(sentences, title)
    ranked = sorted(
        sentences,
        key=lambda s: (not _is_candidate(s), -scores[s.index], s.index),
    )
    chosen: list[Sentence] = []
    seen: set[str] = set()
    for sentence in ranked:
        key = " ".join(_tokens(sentence.text))
        if key and key not in seen:
            seen.add(key)
            chosen.append(sentence)
        if len(chosen) == wanted:
            break
    return sorted(chosen, key=lambda s: s.start)


def _topic(post: Post) -> str:
    return post.topic.replace("_", " ")


def _ended(text: str) -> str:
    return text if text.rstrip("\"'”’)]").endswith((".", "!", "?")) else f"{text}."


def takeaways_component(post: Post, sentences: Sequence[Sentence]) -> PostTakeaways:
    takeaways = [Takeaway(text=s.text, quote=s.text, start=s.start, end=s.end) for s in sentences]
    points = " ".join(_ended(s.text) for s in sentences) or "nothing to quote."
    return PostTakeaways(
        post_id=post.id,
        title=post.title,
        author_name=post.author_name,
        topic=_topic(post),
        takeaways=takeaways,
        text=f'Key points of "{post.title}" by {post.author_name}: {points}',
    )


def post_facts(post: Post, sentences: Sequence[Sentence]) -> str:
    """The facts the narrative may use, in the example store's line format."""
    return "\n".join(
        [
            f'Post: "{post.title}" by {post.author_name}, {post.author_headline}',
            f"Topic: {_topic(post)}",
            "Key sentences:",
            *(f'- "{s.text}"' for s in sentences),
        ]
    )


def _named(text: str) -> list[str]:
    """The words of ``text`` that can name a post, in order: no function words, no words that
    ask for a summary, no single letters (single digits stay: "5 people" is not "6 people")."""
    return [
        _normalise(w)
        for w in _tokens(text)
        if w not in STOPWORDS and w not in _REQUEST_WORDS and (len(w) > 1 or w.isdigit())
    ]


def lookup_words(question: str) -> list[str]:
    """The question's words that name the post, in order and without repeats: "Summarise the
    post about pay equity reviews" -> ["pay", "equity", "reviews"]."""
    out: list[str] = []
    for word in _tokens(question):
        named = word not in STOPWORDS and word not in _REQUEST_WORDS
        if named and (len(word) > 1 or word.isdigit()) and word not in out:
            out.append(word)
    return out


def _pairs(words: Sequence[str]) -> set[tuple[str, str]]:
    return set(pairwise(words))


def best_post(candidates: Sequence[Post], question: str) -> Post | None:
    """The candidate the question names: most of its words, then of its word pairs, found in
    the post's title, author, topic and body (a quoted phrase or a full name matches pairs
    too); ties keep search order (best match first). None unless the best shares at least half
    of the question's words: semantic search always returns something, but not always that
    post."""
    asked = _named(question)
    words, pairs = set(asked), _pairs(asked)
    if not words:
        return None

    def score(post: Post) -> tuple[int, int]:
        text = _named(f"{post.title}. {post.author_name}. {post.topic}. {post.body}")
        return len(words & set(text)), len(pairs & _pairs(text))

    best = max(candidates, key=score, default=None)
    if best is None or score(best)[0] < max(1, math.ceil(len(words) / 2)):
        return None
    return best


def _suggestions(post: Post) -> list[str]:
    return [
        f"Find more posts about {_topic(post)}",
        "How can I apply this to my career?",
        "Which jobs fit my profile?",
    ]


def _not_found() -> list[Event]:
    return [
        TextEvent(
            delta='I could not find that post. Open it (or name it, e.g. "post 12") and ask '
            "again: I will pull out its key points."
        ),
        SuggestionsEvent(suggestions=["Which jobs fit my profile?"]),
    ]


class PostTakeawaysAgent(Agent):
    name: ClassVar[str] = "post_takeaways"

    async def _post_id(self, turn: TurnContext, found: list[int]) -> AsyncGenerator[Event, None]:
        """Resolve the post: page context, then an id in the question, then its words."""
        if turn.page is not None and turn.page.type == "post":
            found.append(turn.page.id)
            return
        match = _POST_REF.search(turn.question)
        if match:
            found.append(int(match.group(1)))
            return
        words = lookup_words(turn.question)
        if not words:
            return
        query = " ".join(words)[:MAX_QUERY_CHARS]
        pages: list[Any] = []
        search = SkillCall("search_posts", {"q": query, "limit": SEARCH_LIMIT})
        async for event in turn.skills_into([search], pages):
            yield event
        candidates = [
            p for page in pages if isinstance(page, Page) for p in page.items if isinstance(p, Post)
        ]
        best = best_post(candidates, turn.question)
        if best is not None:
            found.append(best.id)

    async def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        found: list[int] = []
        async with aclosing(self._post_id(turn, found)) as resolving:
            async for event in resolving:
                yield event
        if not found:
            for reply in _not_found():
                yield reply
            return
        results: list[Any] = []
        try:
            fetch = SkillCall("get_post", {"post_id": found[0]})
            async with aclosing(turn.skills_into([fetch], results)) as steps:
                async for status in steps:
                    yield status
        except NotFoundError as exc:
            if exc.kind != "post":
                raise
            yield StatusEvent(stage="skill", state="failed", skill="get_post", detail=str(exc))
            for reply in _not_found():
                yield reply
            return
        [post] = results
        assert isinstance(post, Post)
        with turn.timer.stage("takeaways"):
            sentences = extract_takeaways(post.body)
            component = takeaways_component(post, sentences)
        turn.timer.component()
        yield ComponentEvent(component=component.model_dump(mode="json"))
        async with aclosing(narrate(turn, self.name, post_facts(post, sentences))) as text:
            async for chunk in text:
                yield chunk
        yield SuggestionsEvent(suggestions=_suggestions(post))
