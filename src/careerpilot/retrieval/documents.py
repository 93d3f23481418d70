"""What gets indexed: the text and payload of each searchable network entity.

Each collection turns an entity into an ``IndexedDoc`` with two texts: ``dense`` is short (what
the job, person or post *is*: title, employer, place, skills), because embedding cost grows with
length and MiniLM reads only 128 tokens anyway; ``lexical`` adds the long fields (description,
summary, body) for BM25, which is cheap at any length. Payload fields are what structured filters
(:mod:`careerpilot.retrieval.filters`) test: lower-cased keywords, dates as ordinals.

``read_documents(db_path, collection)`` reads them straight from the seeded SQLite file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from careerpilot.network.schemas import Job, Member, Post, Seniority
from careerpilot.network.taxonomy import FAMILIES, base_title
from careerpilot.retrieval.filters import Payload, date_ordinal

__all__ = [
    "NETWORK_COLLECTIONS",
    "Collection",
    "IndexedDoc",
    "job_document",
    "member_profile_query",
    "person_document",
    "place_keys",
    "post_document",
    "read_documents",
]

Collection = Literal["jobs", "people", "posts"]
NETWORK_COLLECTIONS: tuple[Collection, ...] = get_args(Collection)


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    id: int
    dense: str
    lexical: str
    payload: Payload

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes: refreshes re-embed only such documents."""
        digest = hashlib.blake2b(digest_size=8)
        for part in (self.dense, self.lexical, repr(sorted(self.payload.items()))):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()


def place_keys(location: str) -> list[str]:
    """Filter keys a location answers to: "Berlin, Germany" -> ["berlin, germany", "berlin",
    "germany"], so a filter may name the city, the country or both."""
    parts = [p.strip().lower() for p in location.split(",") if p.strip()]
    full = ", ".join(parts)
    return list(dict.fromkeys([full, *parts]))


def _level_words() -> dict[Seniority, str]:
    """Every way titles name a level ("Junior", "Associate" for entry), so that a query
    saying one finds jobs titled with another."""
    words: dict[Seniority, str] = {}
    for index, level in enumerate(Seniority):
        names = {p for f in FAMILIES.values() for p in f.level_prefixes[index] if p}
        words[level] = ", ".join([f"{level.value} level", *sorted(names)])
    return words


_LEVEL_WORDS = _level_words()


def _base_title(title: str) -> str:
    try:
        return base_title(title)
    except KeyError:  # a title from outside the taxonomy (another network): itself
        return title


def _readable(family: str) -> str:
    return family.replace("_", " ")


def _lower(items: list[str]) -> list[str]:
    return [s.lower() for s in items]


def job_document(job: Job) -> IndexedDoc:
    where = "remote" if job.remote else job.location
    dense = (
        f"{job.title} at {job.company_name}, {where}. {_readable(job.family).capitalize()} role "
        f"({_LEVEL_WORDS[job.seniority]}). Skills: {', '.join(job.required_skills)}."
    )
    # The title twice: BM25 then weighs it above other fields.
    lexical = (
        f"{job.title}. {dense} {job.location}. Nice to have: {', '.join(job.nice_to_have_skills)}."
    )
    payload: Payload = {
        "place": place_keys(job.location),
        "remote": job.remote,
        "seniority": job.seniority.value,
        "company": job.company_name.lower(),
        "company_id": job.company_id,
        "family": job.family,
        "skills": _lower(job.required_skills + job.nice_to_have_skills),
        "required": _lower(job.required_skills),
        "base_title": _base_title(job.title),
        "posted_on": date_ordinal(job.posted_on),
    }
    return IndexedDoc(job.id, dense, lexical, payload)


def _current_role(member: Member) -> str:
    current = next((p for p in member.positions if p.end_date is None), None)
    if current is None:
        return ""
    return f"{current.title} at {current.company_name}"


def field_words(family: str | None) -> str:
    """The taxonomy's words for a job family: "Marketing (marketers)". Members search by them
    ("marketers in Berlin", "posts from teachers") more than by exact titles."""
    if family is None or family not in FAMILIES:
        return ""
    f = FAMILIES[family]
    return f"{f.label} ({f.practitioners})"


def latest_family(member: Member) -> str | None:
    """The job family of the member's current or, between jobs, last position."""
    return member.positions[0].family if member.positions else None


def person_document(member: Member) -> IndexedDoc:
    role = _current_role(member)
    field = field_words(latest_family(member))
    dense = (
        f"{member.name}. {field}. {member.headline}. {role + ', ' if role else ''}"
        f"{member.location}. Skills: {', '.join(member.skills[:12])}."
    )
    lexical = f"{dense} {member.summary}"
    current = next((p for p in member.positions if p.end_date is None), None)
    payload: Payload = {
        "place": place_keys(member.location),
        "skills": _lower(member.skills),
        "open_to_work": member.open_to_work,
    }
    if current is not None:
        payload |= {
            "company": current.company_name.lower(),
            "family": current.family,
            "title": current.title.lower(),
            "base_title": _base_title(current.title),
        }
        if current.company_id is not None:
            payload["company_id"] = current.company_id
    return IndexedDoc(member.id, dense, lexical, payload)


def post_document(post: Post, author_family: str | None = None) -> IndexedDoc:
    first = post.body.split("\n\n", 1)[0]
    # Topic and author's headline say what the post is about and who speaks: both are what
    # members search posts by ("posts on career change from data scientists").
    topic = post.topic.replace("_", " ")
    author = f"{post.author_headline}; {field_words(author_family)}".strip("; ")
    dense = f"{topic.capitalize()}: {post.title}. By {author}. {first[:200]}"
    lexical = f"{topic}. {post.title}. {author}. {post.body}"
    payload: Payload = {
        "topic": post.topic.lower(),
        "author_id": post.author_id,
        "created_on": date_ordinal(post.created_at.date()),
    }
    if post.company_id is not None:
        payload["company_id"] = post.company_id
    if author_family is not None:
        payload["author_family"] = author_family
    return IndexedDoc(post.id, dense, lexical, payload)


def member_profile_query(member: Member) -> tuple[str, str]:
    """A member's profile as a job query ("jobs that fit me"): (dense text, lexical text).

    Written in the words of job documents (title, level, skills), so that it lands near them.
    """
    current = member.positions[0] if member.positions else None
    title = current.title if current is not None else member.headline
    family = f" {_readable(current.family)} role" if current is not None else ""
    skills = ", ".join(member.skills[:12])
    dense = f"{title}.{family}. Skills: {skills}."
    lexical = f"{title} {member.headline} {' '.join(member.skills)}"
    return dense, lexical


def _rows(conn: sqlite3.Connection, table: str) -> Iterator[str]:
    for (doc,) in conn.execute(f"SELECT doc FROM {table} ORDER BY id"):
        yield doc


def read_documents(db_path: Path, collection: Collection) -> Iterator[IndexedDoc]:
    """Every document of ``collection`` in the seeded database, by id."""
    # Read-only URI: indexing must never create or lock the network database for writing.
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        if collection == "jobs":
            for doc in _rows(conn, "jobs"):
                yield job_document(Job.model_validate_json(doc))
        elif collection == "people":
            for doc in _rows(conn, "members"):
                yield person_document(Member.model_validate_json(doc))
        else:
            # A post is also found by who wrote it ("from teachers"): the author's field.
            fields = {}
            for doc in _rows(conn, "members"):
                member = Member.model_validate_json(doc)
                fields[member.id] = latest_family(member)
            for doc in _rows(conn, "posts"):
                post = Post.model_validate_json(doc)
                yield post_document(post, fields.get(post.author_id))
