"""Operations data (/v1/analytics, /metrics) is for operators: members listed in
``[server] operators``, Prometheus with ``[server] metrics_token``, or this host."""

from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest
from pydantic import SecretStr
from starlette.requests import Request

from careerpilot.config import ServerSettings, Settings
from careerpilot.errors import AuthenticationError, PermissionDeniedError
from careerpilot.llm.testing import ScriptedModel
from careerpilot.server.auth import TokenSigner
from careerpilot.server.deps import _metrics_reader
from conftest import ServerThread, auth

OPERATOR = 2
MEMBER = 1
METRICS_TOKEN = "scrape-me-7f3a"


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerThread]:
    server_settings = settings.server.model_copy(
        update={
            "dev_sign_in": False,
            "operators": [OPERATOR],
            "metrics_token": SecretStr(METRICS_TOKEN),
        }
    )
    locked = settings.model_copy(update={"server": server_settings})
    with ServerThread(locked, ScriptedModel("ok")) as running:
        yield running


def test_only_operators_read_analytics(server: ServerThread, settings: Settings) -> None:
    url = f"{server.url}/v1/analytics"
    assert httpx.get(url).status_code == 401
    denied = httpx.get(url, headers=auth(settings, MEMBER))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"
    assert "not an operator" in denied.json()["error"]["message"]
    allowed = httpx.get(url, headers=auth(settings, OPERATOR))
    assert allowed.status_code == 200 and "buckets" in allowed.json()


def test_metrics_need_the_scrape_token_or_an_operator(
    server: ServerThread, settings: Settings
) -> None:
    url = f"{server.url}/metrics"
    # A metrics token is configured: being on this host is not enough.
    assert httpx.get(url).status_code == 401
    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    scraped = httpx.get(url, headers=bearer)
    assert scraped.status_code == 200 and "careerpilot_turns_total" in scraped.text
    assert httpx.get(url, headers=auth(settings, OPERATOR)).status_code == 200
    assert httpx.get(url, headers=auth(settings, MEMBER)).status_code == 403
    wrong = {"Authorization": f"Bearer {METRICS_TOKEN}x"}
    assert httpx.get(url, headers=wrong).status_code == 401


def _request(host: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/metrics", "headers": [],
                    "client": (host, 40000)})  # fmt: skip


def _state(server: ServerSettings) -> SimpleNamespace:
    settings = SimpleNamespace(server=server)
    return SimpleNamespace(
        assistant=SimpleNamespace(settings=settings), signer=TokenSigner(b"k" * 32, 60)
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.9", "::1"])
async def test_in_development_this_host_may_scrape_without_a_token(host: str) -> None:
    state = _state(ServerSettings(dev_sign_in=True))
    await _metrics_reader(_request(host), state, None)  # type: ignore[arg-type]


async def test_in_production_this_host_needs_a_token_too() -> None:
    # Behind a reverse proxy on the same host, every client comes from loopback.
    state = _state(ServerSettings(dev_sign_in=False))
    with pytest.raises(AuthenticationError, match="metrics_token"):
        await _metrics_reader(_request("127.0.0.1"), state, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["10.0.0.5", "192.168.1.20", "testclient", "2001:db8::1"])
async def test_without_a_metrics_token_other_hosts_may_not(host: str) -> None:
    state = _state(ServerSettings(dev_sign_in=True))
    with pytest.raises(AuthenticationError, match="metrics_token"):
        await _metrics_reader(_request(host), state, None)  # type: ignore[arg-type]


async def test_with_dev_sign_in_every_member_is_an_operator() -> None:
    from fastapi.security import HTTPAuthorizationCredentials

    state = _state(ServerSettings(dev_sign_in=True))
    token = state.signer.issue(MEMBER)
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    await _metrics_reader(_request("10.0.0.5"), state, credentials)  # type: ignore[arg-type]
    state = _state(ServerSettings(dev_sign_in=False, operators=[OPERATOR]))
    with pytest.raises(PermissionDeniedError):
        await _metrics_reader(_request("10.0.0.5"), state, credentials)  # type: ignore[arg-type]
