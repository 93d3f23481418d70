"""Fuzz the HTTP API against its own OpenAPI schema: whatever a client sends, the server answers
with a typed 4xx rather than a 5xx (issue 8, "Load and fault tests")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from conftest import SMALL, ServerThread, auth


@pytest.fixture(scope="module")
def fuzz_settings(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One server for the whole module (a fresh app database, the shared seeded network)."""
    s = Settings(data_dir=data_dir, network=SMALL, turn_deadline_s=120)
    app_db = tmp_path_factory.mktemp("fuzz") / "app.sqlite3"
    s.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{app_db}"
    return s


@pytest.fixture(scope="module")
def live(fuzz_settings: Settings) -> Iterator[ServerThread]:
    with ServerThread(fuzz_settings, ScriptedModel("A short scripted answer.")) as running:
        yield running


@pytest.fixture(scope="module")
def member_headers(fuzz_settings: Settings) -> dict[str, str]:
    return auth(fuzz_settings, 1)


@pytest.fixture(scope="module")
def api_schema(live: ServerThread) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live.url}/openapi.json")


# ``schemathesis.pytest.from_fixture`` (4.32.5, the newest) sets ``request.node._nodeid``, which
# pytest 9.2 no longer has; so each operation gets its own Hypothesis run here instead.
FUZZ = hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


def _fuzz(
    operation: schemathesis.APIOperation, headers: dict[str, str], conversation_id: str
) -> None:
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if "{conversation_id}" in operation.path:
        # A random id is only ever 404: also fuzz the bodies sent to a conversation that exists.
        strategies.append(
            operation.as_strategy(path_parameters={"conversation_id": conversation_id})
        )
    cases = st.one_of(strategies)

    @FUZZ
    @given(case=cases)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=30)

    run()


@pytest.fixture(scope="module")
def conversation_id(live: ServerThread, member_headers: dict[str, str]) -> str:
    response = httpx.post(f"{live.url}/v1/conversations", headers=member_headers)
    assert response.status_code == 201
    ident: str = response.json()["id"]
    return ident


def test_no_operation_answers_with_a_server_error(
    api_schema: schemathesis.BaseSchema, member_headers: dict[str, str], conversation_id: str
) -> None:
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _fuzz(operation, member_headers, conversation_id)
        # Schemathesis reports failures as a BaseExceptionGroup: collect every operation's.
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 10, "the schema lost its operations"
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/conversations/{cid}/messages", b"\xb9"),  # not UTF-8: was a 400
        ("/v1/conversations/{cid}/messages", b'{"text": '),
        ("/v1/dev/sign-in", b"\x82\xf8t5"),
        ("/v1/dev/sign-in", b'{"member_id": 99999999999999999999999}'),
    ],
)
def test_malformed_bodies_are_typed_422s(
    live: ServerThread,
    member_headers: dict[str, str],
    conversation_id: str,
    path: str,
    body: bytes,
) -> None:
    headers = {**member_headers, "Content-Type": "application/json"}
    url = live.url + path.format(cid=conversation_id)
    response = httpx.post(url, content=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
