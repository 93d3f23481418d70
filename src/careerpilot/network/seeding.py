"""Write a generated network to SQLite, atomically, and report what is there."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.engine import Engine

from careerpilot.config import NetworkSize, Settings
from careerpilot.network import tables
from careerpilot.network.generator import Network, generate_network

__all__ = [
    "SeedReport",
    "ensure_seeded",
    "is_seeded",
    "member_exists",
    "network_stats",
    "seed_network",
    "write_network",
]

_BATCH = 2000


@dataclass(frozen=True, slots=True)
class SeedReport:
    path: Path
    counts: dict[str, int]
    generate_s: float
    write_s: float


def _rows_in_batches(rows: list[dict[str, object]]) -> list[list[dict[str, object]]]:
    return [rows[i : i + _BATCH] for i in range(0, len(rows), _BATCH)]


def _search_text(*parts: str) -> str:
    return " ".join(parts).lower()


def write_network(network: Network, engine: Engine) -> None:
    """Create the tables and insert everything in one transaction."""
    tables.metadata.create_all(engine)
    rows: dict[str, list[dict[str, object]]] = {
        "companies": [
            {
                "id": c.id,
                "name": c.name,
                "industry": c.industry,
                "employee_count": c.employee_count,
                "doc": c.model_dump_json(),
            }
            for c in network.companies
        ],
        "members": [
            {
                "id": m.id,
                "name": f"{m.first_name} {m.last_name}",
                "headline": m.headline,
                "location": m.location,
                "current_title": m.positions[0].title if m.positions else None,
                "current_company_id": m.positions[0].company_id
                if m.positions and m.positions[0].end_date is None
                else None,
                "email": m.email,
                "phone": m.phone,
                "doc": m.model_dump_json(),
            }
            for m in network.members
        ],
        "member_skills": [
            {"member_id": m.id, "skill": s}
            for m in network.members
            for s in dict.fromkeys(m.skills)
        ],
        "jobs": [
            {
                "id": j.id,
                "title": j.title,
                "family": j.family,
                "company_id": j.company_id,
                "location": j.location,
                "remote": j.remote,
                "seniority": j.seniority.value,
                "salary_max": j.salary_max,
                "posted_on": j.posted_on,
                "search_text": _search_text(j.title, j.company_name, j.description),
                "doc": j.model_dump_json(),
            }
            for j in network.jobs
        ],
        "job_skills": [
            {"job_id": j.id, "skill": s, "required": required}
            for j in network.jobs
            for required, skills in ((True, j.required_skills), (False, j.nice_to_have_skills))
            for s in skills
        ],
        "posts": [
            {
                "id": p.id,
                "author_id": p.author_id,
                "company_id": p.company_id,
                "topic": p.topic,
                "created_at": p.created_at,
                "search_text": _search_text(p.title, p.topic, p.body),
                "doc": p.model_dump_json(),
            }
            for p in network.posts
        ],
        "connections": [{"member_a": a, "member_b": b} for a, b in network.connections],
        "reactions": [{"post_id": p, "member_id": m, "type": t} for p, m, t in network.reactions],
    }
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            table = tables.metadata.tables[name]
            for batch in _rows_in_batches(table_rows):
                conn.execute(insert(table), batch)


def seed_network(
    settings: Settings,
    *,
    size: NetworkSize | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Generate the network and swap it in atomically: a crash mid-way leaves the old one intact."""
    settings.ensure_data_dir()
    target = settings.network_db_path
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    say("generating the network")
    network = generate_network(settings.seed, size or settings.network)
    t1 = time.perf_counter()
    say("writing it to SQLite")
    engine = create_engine(f"sqlite:///{tmp}")
    try:
        write_network(network, engine)
    finally:
        engine.dispose()
    with sqlite3.connect(tmp) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    os.replace(tmp, target)
    t2 = time.perf_counter()
    return SeedReport(target, network_stats(target), t1 - t0, t2 - t1)


def is_seeded(settings: Settings) -> bool:
    path = settings.network_db_path
    if not path.exists():
        return False
    try:
        return network_stats(path).get("jobs", 0) > 0
    except Exception:  # a torn or foreign file counts as "not seeded"; seeding replaces it
        return False


def ensure_seeded(settings: Settings, progress: Callable[[str], None] | None = None) -> bool:
    """Seed the default network if nothing is there yet. Returns True when it seeded."""
    if is_seeded(settings):
        return False
    seed_network(settings, progress=progress)
    return True


def network_stats(path: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in tables.metadata.tables.items()
            }
    finally:
        engine.dispose()


def member_exists(settings: Settings, member_id: int) -> bool:
    with sqlite3.connect(settings.network_db_path) as conn:
        row = conn.execute("SELECT 1 FROM members WHERE id = ?", (member_id,)).fetchone()
    return row is not None
