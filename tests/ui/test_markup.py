"""The inline markup stream parser: markup becomes segments, never text, however it is split."""

import random

import pytest

from careerpilot.ui.markup import MAX_TAG, Cite, Dropped, MarkupStream, Segment, Tag, Text


def parse(*deltas: str) -> list[Segment]:
    stream = MarkupStream()
    out: list[Segment] = []
    for delta in deltas:
        out.extend(stream.feed(delta))
    out.extend(stream.close())
    # Neighbouring texts from different feeds are one text to a reader.
    merged: list[Segment] = []
    for segment in out:
        if isinstance(segment, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def shown(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments if isinstance(s, Text))


def test_citations_and_tags_become_segments() -> None:
    segments = parse("A notice period is the time before you leave [1]. It varies [2, 3].")
    assert segments == [
        Text("A notice period is the time before you leave "),
        Cite((1,)),
        Text(". It varies "),
        Cite((2, 3)),
        Text("."),
    ]
    assert parse("See {{job: 42}} and ask {{chip:How do I learn SQL?}}") == [
        Text("See "),
        Tag("job", "42"),
        Text(" and ask "),
        Tag("chip", "How do I learn SQL?"),
    ]


CASES = [
    "Plain text with no markup at all.",
    "You fit [1] well [2,3]; see {{job:7}} {{chip: What next?}}",
    "Brackets [like this] and {braces} and [ 1 ] stay text; [12] is a citation.",
    "Broken {{chip: never closed\nnext line stays",
    "Unknown {{weather: sunny}} tag and bad {{job: abc}} id and an end cite [4",
    "A {{chip:multi\nline}} chip, set {x} and dict {{}} and [1][2] twice.",
    "Cut {{job: 12\nStill here. {{chip: Next step?}} end",
    "See {{job 1 and {{company:acme}} for more {{chip: Next?}}.",
]


@pytest.mark.parametrize("text", CASES)
def test_any_split_gives_the_same_result(text: str) -> None:
    whole = parse(text)
    rng = random.Random(len(text))
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, min(12, len(text) - 1))))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        assert parse(*pieces) == whole, pieces
    assert parse(*text) == whole  # one character at a time


@pytest.mark.parametrize("text", CASES)
def test_markup_is_never_shown(text: str) -> None:
    text_shown = shown(parse(*text))
    assert "{{" not in text_shown and "}}" not in text_shown.replace("{{}}", "")
    for segment in parse(text):
        if isinstance(segment, Text):
            assert not any(c in segment.text for c in ("[1]", "[4", "{{chip", "{{job"))


def test_malformed_markup_is_dropped_and_reported() -> None:
    segments = parse("a {{weather: sunny}} b {{job: abc}} c {{chip: open\nd [4")
    assert shown(segments) == "a  b  c \nd "
    reasons = [s.reason for s in segments if isinstance(s, Dropped)]
    assert reasons == [
        "unknown tag 'weather'",
        "a job tag needs a job id",
        "unclosed tag",
        "unfinished citation",
    ]


def test_holding_back_is_bounded() -> None:
    stream = MarkupStream()
    assert stream.feed("{{chip: " + "x" * (MAX_TAG + 10)) == [
        Dropped("{{chip: " + "x" * (MAX_TAG + 10), "unclosed tag")
    ]
    stream = MarkupStream()
    assert stream.feed("[1, 2") == []  # may still close
    assert stream.feed(", 3, 4, 5, 6, 7, 8, 9") == [Text("[1, 2, 3, 4, 5, 6, 7, 8, 9")]


def test_an_ordinary_bracket_is_released_at_once() -> None:
    stream = MarkupStream()
    assert stream.feed("costs [approx") == [Text("costs [approx")]
    assert stream.feed(" {x") == [Text(" {x")]


def test_a_tag_left_open_does_not_swallow_the_text_after_it() -> None:
    segments = parse("Cut {{job: 12\nStill here. {{chip: Next step?}} end")
    assert shown(segments) == "Cut \nStill here.  end"
    assert Tag("chip", "Next step?") in segments
    assert [s.reason for s in segments if isinstance(s, Dropped)] == ["unclosed tag"]


def test_a_tag_left_open_on_its_line_is_dropped_up_to_the_next_tag() -> None:
    # Cut as a model streams it: the second tag opens at the end of a delta.
    segments = parse("See {{job 1", " and {{", "company:acme}} more {{chip: Next?}}.")
    assert shown(segments) == "See  more ."
    assert Tag("chip", "Next?") in segments
    reasons = [s.reason for s in segments if isinstance(s, Dropped)]
    assert reasons == ["unclosed tag", "unknown tag 'company'"]
