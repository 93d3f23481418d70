"""Harvest raw planner replies from the embedded model, for hand-labelling.

Runs SmolLM2-135M-Instruct (llama-cpp-python, the default ``Settings().llm``) on varied member
requests with the planner's own messages, WITHOUT constrained decoding, for a few
temperature / seed / few-shot settings, and writes every raw reply to a JSON file (not
committed) for labelling by hand into ``src/careerpilot/parsing/data/harvested_plans.yaml``.

    .venv/bin/python scripts/harvest_plans.py [--out /tmp/harvested_raw.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import httpx

from careerpilot.agents.plan_examples import bundled_plan_examples
from careerpilot.agents.planning import Planner
from careerpilot.config import Settings
from careerpilot.llm.base import GenerationOptions, complete
from careerpilot.llm.llamacpp import LlamaCppModel
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills

SKILLS = ["search_jobs", "search_companies", "search_people", "search_posts"]

REQUESTS = [
    # job searches
    "Find me remote Python backend jobs",
    "any senior data engineer openings in Berlin?",
    "I'm looking for entry level UX design roles in London, remote is fine",
    "Show lead DevOps jobs that need Terraform",
    "What machine learning jobs were posted after 2024-05-01?",
    "jobs at company 42 please",
    "Give me 5 mid-level frontend React positions in Amsterdam",
    "Are there principal engineer roles in New York that are remote?",
    "junior sales jobs near Madrid",
    "Which companies are hiring Rust developers? show me the jobs",
    "Need a part-time marketing job, preferably remote, entry level",
    "next page of senior java jobs (skip the first 20)",
    # people searches
    "Who are the data scientists at Initech?",
    "Find people in Paris who know Kubernetes",
    "search for members named Alice Chen",
    "Find recruiters working at company 17",
    "I want to connect with product designers in Toronto",
    "Who has the title Head of Engineering?",
    "people with Go skills in Singapore, top 10",
    "Are there any former Google engineers now in Lisbon?",
    # company lookups
    "Tell me about Globex",
    "List fintech companies",
    "What healthcare companies are on the network?",
    "find the company called Umbrella Corp",
    "Show me 3 cybersecurity companies",
    "Which AI startups can I follow?",
    "Look up Acme Inc and its open jobs",
    # posts
    "What are people posting about remote work?",
    "Show posts about layoffs from company 8",
    "recent posts by member 123",
    "Any posts on the topic of career change?",
    "Find posts mentioning LLM agents",
    "What has Hooli been posting lately?",
    # mixed / vaguer
    "I'm a nurse wanting to move into health tech. Where should I look?",
    "Find senior product managers at Stripe and their job openings",
    "hey can u find me sth in data analytics, berlin or munich",
    "Compare hiring at Initech and Globex for backend engineers",
    "Who works at Vandelay Industries and what do they post about?",
    "Best companies for a junior developer in Austin",
    "show me posts about salary negotiation and jobs for negotiators",
]

# (temperature, seed, with few-shot examples)
SETTINGS = [
    (0.0, 7, True),
    (0.0, 7, False),
    (0.7, 11, True),
    (1.0, 23, False),
]


async def harvest(out: Path, limit: int | None) -> None:
    registry = network_skills(NetworkApi(httpx.AsyncClient()))
    model = LlamaCppModel(Settings().llm)
    await model.warm()
    examples = bundled_plan_examples()
    planner = Planner()
    rows = []
    requests = REQUESTS[:limit] if limit else REQUESTS
    start = time.perf_counter()
    try:
        for temperature, seed, shots in SETTINGS:
            for request in requests:
                messages = planner.messages(registry, SKILLS, request, examples if shots else ())
                options = GenerationOptions(
                    max_tokens=200, temperature=temperature, seed=seed, json_schema=None
                )
                reply = await complete(model, messages, options)
                rows.append(
                    {
                        "prompt": request,
                        "settings": {
                            "temperature": temperature,
                            "seed": seed,
                            "few_shot": shots,
                            "max_tokens": 200,
                        },
                        "finish_reason": reply.finish_reason,
                        "reply": reply.text,
                    }
                )
                # Written after every reply, so a stalled generation loses nothing.
                text = json.dumps(rows, indent=1, ensure_ascii=False)
                await asyncio.to_thread(out.write_text, text)
                elapsed = time.perf_counter() - start
                print(f"{len(rows):4d} {elapsed:7.1f}s {request[:50]}", flush=True)  # noqa: T201
    finally:
        await model.aclose()
    print(f"wrote {len(rows)} replies to {out}")  # noqa: T201


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=Path("/tmp/harvested_raw.json"))
    ap.add_argument("--limit", type=int, default=None, help="only the first n requests")
    args = ap.parse_args()
    asyncio.run(harvest(args.out, args.limit))


if __name__ == "__main__":
    main()
