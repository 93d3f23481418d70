"""Vector search: HnswIndex (usearch) against a flat exact baseline (numpy) in the same run.

For each size: build rate (vectors/s), RSS delta and the graph's own memory, query latency
p50/p99 for single queries (k=10), and recall@10 of HNSW against the exact top-10.

Data: ``--data clustered`` (default) draws unit vectors with a low intrinsic dimension, like
sentence embeddings (a 32-dim Gaussian latent projected to 384 dims plus isotropic noise);
``--data random`` draws uniform unit vectors, HNSW's worst case (in 384 dims all points are
nearly equidistant, so no graph index reaches high recall on it at a useful ef).

Targets: p50 ≤ 10 ms at 100k; recall@10 vs exact ≥ 0.98.

    .venv/bin/python benchmarks/retrieval.py [--sizes 10000,100000,1000000] [--queries 200]
        [--data clustered|random] [--expansion-search 128,256] [--connectivity 16]
"""

from __future__ import annotations

import argparse
import gc
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from careerpilot.retrieval.hnsw import HnswIndex

DIM = 384
Matrix = npt.NDArray[np.float32]


def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def make_data(kind: str, n: int, seed: int) -> Matrix:
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    basis = np.random.default_rng(12345).standard_normal((32, DIM)).astype(np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        noise = rng.standard_normal((m, DIM), dtype=np.float32)
        if kind == "clustered":
            chunk = rng.standard_normal((m, 32), dtype=np.float32) @ basis + 0.3 * noise
        else:
            chunk = noise
        out[start : start + m] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def exact_top(data: Matrix, q: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.intp]:
    scores = data @ q
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


@dataclass
class Row:
    size: int
    ef: int
    build_rate: float
    rss_mb: float
    index_mb: float
    hnsw_p50: float
    hnsw_p99: float
    exact_p50: float
    exact_p99: float
    recall: float


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1e3


def run_size(args: argparse.Namespace, n: int) -> list[Row]:
    print(f"\n== {n:,} vectors ({args.data}) ==", flush=True)
    data = make_data(args.data, n, seed=n)
    queries = make_data(args.data, args.queries, seed=1)
    gc.collect()
    rss0 = rss_bytes()
    index = HnswIndex(
        DIM,
        connectivity=args.connectivity,
        expansion_add=args.expansion_add,
        expansion_search=args.expansion_search[0],
    )
    batch = 50_000
    t0 = time.perf_counter()
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        index.add(range(start, stop), data[start:stop])
        elapsed = time.perf_counter() - t0
        print(f"  built {stop:>9,} / {n:,}  {stop / elapsed:8,.0f} vec/s", flush=True)
    build_rate = n / (time.perf_counter() - t0)
    rss_mb = (rss_bytes() - rss0) / 2**20

    exact_t: list[float] = []
    truths: list[set[int]] = []
    for q in queries:
        t = time.perf_counter()
        truths.append({int(i) for i in exact_top(data, q, args.k)})
        exact_t.append(time.perf_counter() - t)
    rows = []
    for ef in args.expansion_search:
        index.expansion_search = ef
        hnsw_t: list[float] = []
        found = 0
        for q, truth in zip(queries, truths, strict=True):
            t = time.perf_counter()
            hits = index.search(q, args.k)
            hnsw_t.append(time.perf_counter() - t)
            found += len(truth & {h.id for h in hits})
        row = Row(
            size=n,
            ef=ef,
            build_rate=build_rate,
            rss_mb=rss_mb,
            index_mb=index.memory_usage / 2**20,
            hnsw_p50=pct(hnsw_t, 50),
            hnsw_p99=pct(hnsw_t, 99),
            exact_p50=pct(exact_t, 50),
            exact_p99=pct(exact_t, 99),
            recall=found / (args.k * len(queries)),
        )
        print(
            f"  ef={ef}: hnsw p50 {row.hnsw_p50:.2f} ms  p99 {row.hnsw_p99:.2f} ms  "
            f"recall@{args.k} {row.recall:.3f} | exact p50 {row.exact_p50:.2f} ms  "
            f"p99 {row.exact_p99:.2f} ms",
            flush=True,
        )
        rows.append(row)
    del index, data
    gc.collect()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--data", choices=["clustered", "random"], default="clustered")
    parser.add_argument("--connectivity", type=int, default=16)
    parser.add_argument("--expansion-add", type=int, default=128)
    parser.add_argument(
        "--expansion-search",
        type=lambda text: [int(v) for v in text.split(",")],
        default=[256],
        help="ef at query time; a comma-separated list measures each on the same graph",
    )
    args = parser.parse_args()
    rows = [row for s in args.sizes.split(",") if s for row in run_size(args, int(s))]

    print(
        f"\nM={args.connectivity} ef_add={args.expansion_add} "
        f"k={args.k} queries={args.queries} data={args.data}"
    )
    header = (
        f"{'size':>10} {'ef':>4} {'build vec/s':>11} {'RSS MB':>8} {'index MB':>9} {'hnsw p50':>9} "
        f"{'hnsw p99':>9} {'exact p50':>10} {'exact p99':>10} {'recall':>7}"
    )
    print(header)
    for r in rows:
        print(
            f"{r.size:>10,} {r.ef:>4} {r.build_rate:>11,.0f} {r.rss_mb:>8.0f} {r.index_mb:>9.0f} "
            f"{r.hnsw_p50:>7.2f}ms {r.hnsw_p99:>7.2f}ms {r.exact_p50:>8.2f}ms "
            f"{r.exact_p99:>8.2f}ms {r.recall:>7.3f}"
        )
    print("targets: hnsw p50 <= 10 ms at 100k; recall >= 0.98")


if __name__ == "__main__":
    main()
