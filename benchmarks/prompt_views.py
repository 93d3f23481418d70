"""Prompt tokens of skill outputs: raw API JSON vs careerpilot's LLM-friendly views.

For a typical turn's skill outputs (a job, the member asking, the job's company, a search page
of 5 jobs, a post), counts tokens with the embedded model's own tokenizer. Baseline in the same
run: the raw JSON the API returns (compact separators, as most frameworks pass it).

    .venv/bin/python benchmarks/prompt_views.py [--pairs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

import httpx
from llama_cpp import Llama

from careerpilot.config import NetworkSize, Settings
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository
from careerpilot.network.seeding import ensure_seeded
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills
from careerpilot.skills.views import render, view


async def outputs(settings: Settings, pairs: int) -> list[list[object]]:
    repo = NetworkRepository(settings.network_db_path)
    transport = httpx.ASGITransport(app=create_network_app(repo))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        skills = network_skills(NetworkApi(client))
        turns = []
        for i in range(1, pairs + 1):
            job = await skills.get("get_job").invoke({"job_id": i})
            member = await skills.get("get_member").invoke({"member_id": i})
            company = await skills.get("get_company").invoke({"company_id": job.company_id})
            search = await skills.get("search_jobs").invoke(
                {"skill": job.required_skills[0], "limit": 5}
            )
            post = await skills.get("get_post").invoke({"post_id": i})
            turns.append([job, member, company, search, post])
    await repo.aclose()
    return turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="careerpilot-views-"))
    settings = Settings(
        data_dir=data_dir, network=NetworkSize(companies=60, members=400, jobs=400, posts=400)
    )
    ensure_seeded(settings)
    assert settings.llm.model_path is not None
    llm = Llama(model_path=str(settings.llm.model_path), vocab_only=True, verbose=False)

    def tokens(text: str) -> int:
        return len(llm.tokenize(text.encode(), add_bos=False))

    names = ["get_job", "get_member", "get_company", "search_jobs(5)", "get_post"]
    raw: dict[str, list[int]] = {n: [] for n in names}
    compact: dict[str, list[int]] = {n: [] for n in names}
    for turn in asyncio.run(outputs(settings, args.pairs)):
        for name, value in zip(names, turn, strict=True):
            raw[name].append(tokens(value.model_dump_json()))  # type: ignore[attr-defined]
            compact[name].append(tokens(render(view(value))))
    print(
        f"{'skill output':<16}{'raw JSON':>10}{'view':>8}{'saved':>8}   (median tokens, "
        f"{args.pairs} turns)"
    )
    total_raw = total_view = 0.0
    for name in names:
        r, v = statistics.median(raw[name]), statistics.median(compact[name])
        total_raw += r
        total_view += v
        print(f"{name:<16}{r:>10.0f}{v:>8.0f}{1 - v / r:>8.0%}")
    saved = 1 - total_view / total_raw
    print(f"{'typical turn':<16}{total_raw:>10.0f}{total_view:>8.0f}{saved:>8.0%}   (all five)")


if __name__ == "__main__":
    main()
