"""The generated corpus: every recoverable case recovered, every must-refuse case refused, and
StreamParser agreeing with loads on all of them."""

from __future__ import annotations

import pytest

from careerpilot.parsing import ParseError, StreamParser, loads
from careerpilot.parsing.corpus import Case, generate

CASES = list(generate(per_class=12, seed=5))


def test_corpus_covers_every_class() -> None:
    classes = {case.cls for case in CASES}
    assert len(classes) >= 25
    assert sum(1 for c in classes if c.startswith("refuse_")) >= 4
    assert len(list(generate())) >= 5000


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.cls)
def test_case(case: Case) -> None:
    if case.expected is None:
        with pytest.raises(ParseError):
            loads(case.text, case.schema)
    else:
        assert loads(case.text, case.schema) == case.expected


@pytest.mark.parametrize("case", CASES[::3], ids=lambda c: c.cls)
def test_stream_agrees_with_loads(case: Case) -> None:
    parser = StreamParser(case.schema)
    for i in range(0, len(case.text), 5):
        parser.feed(case.text[i : i + 5])
    if case.expected is None:
        with pytest.raises(ParseError):
            parser.close()
    else:
        assert parser.close() == case.expected
