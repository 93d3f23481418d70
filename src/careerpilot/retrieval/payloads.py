"""Payload storage shared by the embedded indexes, and crash-safe directory snapshots.

:class:`PayloadStore` keeps each document's payload in memory and answers "which ids pass
this filter". :class:`Snapshots` persists an index as numbered generation directories
(``gen-000007/``) selected by a ``CURRENT`` file that is replaced atomically, so a crash in the
middle of a save leaves the previous generation intact and readable.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from careerpilot.retrieval.filters import Filter, Payload

__all__ = ["PayloadStore", "Snapshots", "atomic_write_text"]


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never a mix."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class PayloadStore:
    """The ids an index holds and their payloads; evaluates :class:`Filter` over them."""

    def __init__(self) -> None:
        self._payloads: dict[int, Payload] = {}

    def __len__(self) -> int:
        return len(self._payloads)

    def __contains__(self, doc_id: int) -> bool:
        return doc_id in self._payloads

    def __iter__(self) -> Iterator[int]:
        return iter(self._payloads)

    def get(self, doc_id: int) -> Payload:
        return self._payloads[doc_id]

    def put(self, ids: Sequence[int], payloads: Sequence[Payload] | None) -> None:
        if payloads is not None and len(payloads) != len(ids):
            raise ValueError(f"{len(ids)} ids but {len(payloads)} payloads")
        for i, doc_id in enumerate(ids):
            self._payloads[int(doc_id)] = dict(payloads[i]) if payloads is not None else {}

    def remove(self, ids: Iterable[int]) -> list[int]:
        """Forget ``ids``; returns those that were present."""
        return [int(i) for i in ids if self._payloads.pop(int(i), None) is not None]

    def matching(self, flt: Filter) -> npt.NDArray[np.uint64]:
        """The ids whose payload passes ``flt``, in insertion order."""
        ids = [i for i, p in self._payloads.items() if flt.matches(p)]
        return np.asarray(ids, dtype=np.uint64)

    def to_json(self) -> str:
        return json.dumps([[i, p] for i, p in self._payloads.items()], separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PayloadStore:
        store = cls()
        store._payloads = {int(i): p for i, p in json.loads(text)}
        return store


class Snapshots:
    """Generation directories under ``root``; ``CURRENT`` names the live one."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> Path | None:
        """The live generation directory, or None if nothing was saved yet."""
        pointer = self.root / "CURRENT"
        if not pointer.is_file():
            return None
        path = self.root / pointer.read_text(encoding="utf-8").strip()
        return path if path.is_dir() else None

    def begin(self) -> Path:
        """A fresh, empty generation directory to write a snapshot into."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        path = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        return path

    def commit(self, generation: Path) -> None:
        """Make ``generation`` live, then delete the older ones."""
        for child in generation.iterdir():
            with child.open("rb") as fh:
                os.fsync(fh.fileno())
        atomic_write_text(self.root / "CURRENT", generation.name + "\n")
        for old in self.root.glob("gen-*"):
            if old != generation and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
