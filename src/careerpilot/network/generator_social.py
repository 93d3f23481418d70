"""The social layer of the sample network: connections, posts and reactions.

Everything here is sampled against prebuilt pools (colleagues, same family, same city), so the
cost grows with the number of edges and reactions, never with members squared.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate

from careerpilot.network.generator_members import REFERENCE_DATE, MemberDraft
from careerpilot.network.schemas import Post
from careerpilot.network.taxonomy import FAMILIES, POST_TOPICS, REACTION_TYPES, PostTopic
from careerpilot.network.text_posts import PostContext, post_body, post_title

__all__ = ["MAX_CONNECTIONS", "REFERENCE_TIME", "build_connections", "build_posts"]

MAX_CONNECTIONS = 150
# Posts are dated up to this moment (naive UTC, as the network database stores them).
REFERENCE_TIME = dt.datetime.combine(REFERENCE_DATE, dt.time(9, 0))
_POST_WINDOW = dt.timedelta(days=365)
_SEEKING_TOPICS = frozenset({"layoffs", "job search"})


def build_connections(
    rng: random.Random, drafts: Sequence[MemberDraft]
) -> tuple[list[tuple[int, int]], list[list[int]]]:
    """Undirected edges (a < b, by member id) and each member's neighbours (0-based indexes).

    Degrees follow a skewed target (a few people know everyone, a few know no one) and
    partners come mostly from shared employers, then the same family, then the same city.
    """
    n = len(drafts)
    targets = [
        0
        if rng.random() < 0.03
        else min(MAX_CONNECTIONS, max(1, int(rng.lognormvariate(2.9, 0.95))))
        for _ in range(n)
    ]
    targets[0] = max(targets[0], 20)  # member 1 is the demo member: give them a network
    # Let people exceed their own target somewhat when others reach out, up to the hard cap.
    limits = [0 if t == 0 else min(MAX_CONNECTIONS, t + 5 + t // 2) for t in targets]
    by_company: dict[int, list[int]] = {}
    by_family: dict[str, list[int]] = {}
    by_city: dict[str, list[int]] = {}
    for i, d in enumerate(drafts):
        for cid in d.company_ids:
            by_company.setdefault(cid, []).append(i)
        by_family.setdefault(d.family, []).append(i)
        by_city.setdefault(d.city.label, []).append(i)

    adjacency: list[set[int]] = [set() for _ in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    for i in order:
        d = drafts[i]
        want = targets[i] - len(adjacency[i])
        attempts = 4 * want
        while want > 0 and attempts > 0:
            attempts -= 1
            roll = rng.random()
            if roll < 0.5 and d.company_ids:
                j = rng.choice(by_company[rng.choice(d.company_ids)])
            elif roll < 0.75:
                j = rng.choice(by_family[d.family])
            elif roll < 0.92:
                j = rng.choice(by_city[d.city.label])
            else:
                j = rng.randrange(n)
            if j == i or j in adjacency[i] or len(adjacency[j]) >= limits[j]:
                continue
            adjacency[i].add(j)
            adjacency[j].add(i)
            want -= 1
    edges = sorted((i + 1, j + 1) for i in range(n) for j in adjacency[i] if i < j)
    return edges, [sorted(a) for a in adjacency]


def _topic_table(d: MemberDraft) -> tuple[list[PostTopic], list[float]]:
    topics: list[PostTopic] = []
    weights: list[float] = []
    for t in POST_TOPICS.values():
        if t.company_related and d.company_id is None:
            continue  # nobody writes about an employer the network does not know
        seeking = t.name in _SEEKING_TOPICS
        if seeking and not d.record.open_to_work:
            continue
        w = (4.0 if d.family in t.families else 1.0) * (3.0 if seeking else 1.0)
        topics.append(t)
        weights.append(w)
    return topics, list(accumulate(weights))


def build_posts(
    rng: random.Random,
    drafts: Sequence[MemberDraft],
    neighbours: Sequence[Sequence[int]],
    count: int,
) -> tuple[list[Post], list[tuple[int, int, str]]]:
    """``count`` posts, oldest first (ids follow time), and their reactions."""
    n = len(drafts)
    # Most members post now and then, a few post a lot, a fifth never do. The cap keeps one
    # prolific author from writing a tenth of the feed.
    activity = [
        0.0
        if rng.random() < 0.2
        else min(25.0, rng.paretovariate(1.3)) * (2.0 if d.record.open_to_work else 1.0)
        for d in drafts
    ]
    if not any(activity):
        activity = [1.0] * n
    authors = rng.choices(range(n), cum_weights=list(accumulate(activity)), k=count)
    tables: dict[tuple[str, bool, bool], tuple[list[PostTopic], list[float]]] = {}

    drafted: list[tuple[dt.datetime, int, Post]] = []
    for seq, a in enumerate(authors):
        d = drafts[a]
        key = (d.family, d.company_id is not None, d.record.open_to_work)
        if key not in tables:
            tables[key] = _topic_table(d)
        topics, cum = tables[key]
        topic = rng.choices(topics, cum_weights=cum)[0]
        company_id = None
        if d.company_id is not None and rng.random() < (0.85 if topic.company_related else 0.05):
            company_id = d.company_id
        earliest = REFERENCE_TIME - _POST_WINDOW
        if company_id is not None and d.current_start is not None:
            earliest = max(earliest, dt.datetime.combine(d.current_start, dt.time(8, 0)))
        span = int((REFERENCE_TIME - earliest).total_seconds())
        created = REFERENCE_TIME - dt.timedelta(seconds=rng.randrange(60, max(span, 120)))
        latest = d.record.positions[0]
        ctx = PostContext(
            topic=topic,
            family=FAMILIES[d.family],
            title=latest.title,
            company=latest.company_name,
            skills=d.record.skills,
            city=d.city.name,
            years=d.years,
            tenure=d.tenure,
        )
        post = Post(
            id=0,
            author_id=d.record.id,
            author_name=d.record.name,
            author_headline=d.record.headline,
            company_id=company_id,
            topic=topic.name,
            title=post_title(rng, ctx),
            body=post_body(rng, ctx),
            created_at=created,
            reaction_count=0,
            reactions={},
            comment_count=0,
        )
        drafted.append((created, seq, post))
    drafted.sort(key=lambda item: (item[0], item[1]))

    cum_by_topic = {t.name: list(accumulate(t.reaction_weights)) for t in POST_TOPICS.values()}
    posts: list[Post] = []
    reactions: list[tuple[int, int, str]] = []
    for post_id, (_, _, post) in enumerate(drafted, 1):
        author = post.author_id - 1
        friends = neighbours[author]
        base = 1.5 + 0.35 * len(friends)
        wanted = min(n - 1, 600, int(rng.lognormvariate(math.log(base), 0.9)))
        # Most reactions come from the author's connections, the rest from the wider network.
        chosen = rng.sample(friends, k=min(len(friends), int(wanted * 0.7)))
        seen = set(chosen)
        attempts = 3 * wanted
        while len(chosen) < wanted and attempts > 0:
            attempts -= 1
            j = rng.randrange(n)
            if j != author and j not in seen:
                seen.add(j)
                chosen.append(j)
        kinds = rng.choices(REACTION_TYPES, cum_weights=cum_by_topic[post.topic], k=len(chosen))
        reactions.extend((post_id, j + 1, kind) for j, kind in zip(chosen, kinds, strict=True))
        counts = Counter(kinds)
        post.id = post_id
        post.reactions = {k: counts[k] for k in REACTION_TYPES if counts[k]}
        post.reaction_count = len(chosen)
        post.comment_count = int(len(chosen) * rng.uniform(0.03, 0.3)) + (rng.random() < 0.2)
        posts.append(post)
    return posts, reactions
