"""Web search: the bundled corpus, offline BM25 ranking, and the Bing v7 client over loopback."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from careerpilot.errors import ConfigurationError, SkillError
from careerpilot.skills.base import SkillRegistry
from careerpilot.skills.bing import BingWebSearch
from careerpilot.skills.corpus import CORPUS_URL_PREFIX, Article, load_corpus
from careerpilot.skills.offline_search import OfflineWebSearch, tokenize
from careerpilot.skills.web_search import (
    WebResult,
    WebSearch,
    WebSearchQuery,
    WebSearchResults,
    WebSearchSettings,
    build_backend,
)

KEY = "test-key-5f1d2c"

# --------------------------------------------------------------------------- corpus


def test_corpus_has_enough_unique_articles() -> None:
    articles = load_corpus()
    assert len(articles) >= 150
    for attr in ("id", "url", "title"):
        values = [getattr(a, attr) for a in articles]
        assert len(set(values)) == len(values), f"duplicate {attr}"


def test_corpus_articles_are_well_formed() -> None:
    for article in load_corpus():
        words = len(article.body.split())
        assert 120 <= words <= 250, (article.id, words)
        assert 2 <= len(article.paragraphs) <= 4, article.id
        assert article.url == f"https://knowledge.careerpilot.invalid/{article.id}"
        assert article.url.startswith(CORPUS_URL_PREFIX)
        assert article.topic


def test_corpus_has_no_paragraph_shared_between_articles() -> None:
    seen: dict[str, str] = {}
    for article in load_corpus():
        for paragraph in article.paragraphs:
            assert paragraph not in seen, (article.id, seen.get(paragraph))
            seen[paragraph] = article.id


# --------------------------------------------------------------------------- offline search


@pytest.fixture(scope="module")
def offline() -> OfflineWebSearch:
    return OfflineWebSearch()


def ids(results: list[WebResult]) -> list[str]:
    return [r.url.removeprefix(CORPUS_URL_PREFIX) for r in results]


@pytest.mark.parametrize(
    ("query", "expected", "within"),
    [
        ("what is a 401k", "retirement-401k", 1),
        ("employer match 401(k)", "employer-match", 2),
        ("STAR method interview", "star-method", 3),
        ("how do RSUs vest", "restricted-stock-units", 3),
        ("what does a data engineer do", "data-engineer", 1),
        ("how long is a notice period when I resign", "notice-period", 1),
        ("are non-compete clauses enforceable", "non-compete-agreement", 1),
        ("at-will employment meaning", "at-will-employment", 1),
        ("how to run good 1:1s with my manager", "one-on-one-meetings", 1),
        ("what are OKRs", "okrs", 1),
        ("negotiate salary offer", "salary-negotiation", 1),
        ("gross vs net pay", "gross-vs-net-pay", 1),
        ("what is customer churn", "churn", 1),
        ("how to prepare for a system design interview", "system-design-interview", 1),
        ("consulting case interview", "case-interview", 1),
        ("résumé tips applicant tracking systems", "resume-ats-formatting", 3),
        ("how to become a registered nurse", "registered-nurse", 1),
        ("stock options strike price", "stock-options", 1),
        ("what does a product manager do", "product-manager", 1),
        ("B2B vs B2C", "b2b-vs-b2c", 1),
        ("background check before starting a job", "background-check", 1),
        ("changing careers", "career-change", 3),
        ("difference between HMO and PPO", "health-insurance-plans", 1),
        ("what is a cliff in vesting", "vesting-schedule", 1),
        ("should I accept a counteroffer", "counteroffer", 1),
        ("how to explain a gap in my resume", "employment-gap", 1),
        ("what is a PIP", "performance-improvement-plan", 1),
        ("what is LTV to CAC ratio", "cac-ltv", 1),
        ("what does an SRE do", "site-reliability-engineer", 1),
        ("HSA or FSA", "hsa-vs-fsa", 1),
        ("exempt vs non-exempt overtime", "exempt-vs-non-exempt", 1),
        (
            "what does a product manager do and how is it different from a project manager",
            "product-manager",
            2,
        ),
    ],
)
async def test_offline_search_finds_the_relevant_article(
    offline: OfflineWebSearch, query: str, expected: str, within: int
) -> None:
    results = await offline.search(query, 5)
    assert expected in ids(results)[:within], (query, ids(results))


async def test_offline_results_are_well_formed(offline: OfflineWebSearch) -> None:
    results = await offline.search("how do RSUs vest and how are they taxed", 10)
    assert results
    for result in results:
        assert result.source == "offline"
        assert result.url.startswith(CORPUS_URL_PREFIX)
        assert 0 < len(result.snippet) <= 300
    # The snippet is the part of the body about the query, not just its opening.
    assert "tax" in results[0].snippet.lower()


async def test_offline_search_is_deterministic(offline: OfflineWebSearch) -> None:
    first = await offline.search("how to negotiate a signing bonus", 10)
    for _ in range(3):
        assert await offline.search("how to negotiate a signing bonus", 10) == first
    assert await OfflineWebSearch().search("how to negotiate a signing bonus", 10) == first


@pytest.mark.parametrize("count", [1, 3, 7, 20])
async def test_offline_search_respects_count(offline: OfflineWebSearch, count: int) -> None:
    assert len(await offline.search("job interview", count)) == count


async def test_offline_search_with_no_known_words_is_empty(offline: OfflineWebSearch) -> None:
    assert await offline.search("the of and", 5) == []
    assert await offline.search("zxqv blorft", 5) == []


async def test_ranker_is_a_seam(offline: OfflineWebSearch) -> None:
    articles = load_corpus()[:3]

    class Reversed:
        def rank(self, query: str, k: int) -> list[tuple[int, float]]:
            return [(i, 1.0) for i in reversed(range(len(articles)))][:k]

        def idf(self, term: str) -> float:
            return 1.0

    backend = OfflineWebSearch(articles, ranker_factory=lambda _articles: Reversed())
    assert ids(await backend.search("anything", 2)) == [articles[2].id, articles[1].id]


def test_tokenize_normalizes_and_stems() -> None:
    assert tokenize("What is a 401(k)?") == tokenize("401k")
    assert tokenize("RSUs") == tokenize("RSU")
    assert tokenize("vesting vests") == tokenize("vest vest")
    assert tokenize("Résumé") == tokenize("resume")
    assert tokenize("1:1s") == tokenize("one-on-one")
    assert tokenize("the and of") == []


async def test_skill_wraps_the_backend(offline: OfflineWebSearch) -> None:
    skill = WebSearch(offline)
    out = await skill.invoke({"query": "what is a 401k", "count": 2})
    assert isinstance(out, WebSearchResults)
    assert out.query == "what is a 401k"
    assert len(out.results) == 2
    assert ids(out.results)[0] == "retirement-401k"
    registry = SkillRegistry()
    registry.register(skill)
    assert "web_search" in registry.describe()


@pytest.mark.parametrize("args", [{"query": ""}, {"query": "x" * 301}, {"query": "a", "count": 21}])
async def test_skill_rejects_bad_arguments(args: dict[str, Any]) -> None:
    with pytest.raises(SkillError) as info:
        await WebSearch(OfflineWebSearch(load_corpus()[:1])).invoke(args)
    assert not info.value.retryable


def test_build_backend_from_settings() -> None:
    assert isinstance(build_backend(WebSearchSettings()), OfflineWebSearch)
    assert isinstance(WebSearch().backend, OfflineWebSearch)
    with pytest.raises(ConfigurationError):
        build_backend(WebSearchSettings(backend="bing"))
    bing = build_backend(WebSearchSettings(backend="bing", bing_api_key=SecretStr(KEY)))
    assert isinstance(bing, BingWebSearch)
    assert KEY not in repr(vars(bing))


# --------------------------------------------------------------------------- Bing over loopback


@dataclass
class FakeBing:
    """A loopback server speaking Bing Web Search v7; the query text picks the behaviour."""

    server: ThreadingHTTPServer
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def hits(self, query: str) -> int:
        return sum(1 for r in self.requests if r["params"].get("q") == [query])


V7_OK = {
    "_type": "SearchResponse",
    "queryContext": {"originalQuery": "ok"},
    "webPages": {
        "webSearchUrl": "https://www.bing.com/search?q=ok",
        "totalEstimatedMatches": 1230000,
        "value": [
            {
                "id": "https://api.bing.microsoft.com/api/v7/#WebPages.0",
                "name": "What is a 401(k)?",
                "url": "https://example.com/401k",
                "displayUrl": "https://example.com/401k",
                "snippet": "A 401(k) is an employer-sponsored retirement plan.",
                "dateLastCrawled": "2024-05-01T10:00:00.0000000Z",
                "language": "en",
                "isFamilyFriendly": True,
            },
            {
                "id": "https://api.bing.microsoft.com/api/v7/#WebPages.1",
                "name": "401(k) plans",
                "url": "https://example.org/plans",
                "displayUrl": "example.org/plans",
                "snippet": "Contribution limits and matching.",
                "dateLastCrawled": "2024-04-02T08:30:00.0000000Z",
            },
        ],
    },
    "rankingResponse": {"mainline": {"items": []}},
}


def _respond(handler: BaseHTTPRequestHandler, query: str) -> None:
    def send(status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    if handler.headers.get("Ocp-Apim-Subscription-Key") != KEY:
        send(401, {"error": {"code": "401", "message": "Access denied due to invalid key."}})
    elif query == "ok":
        send(200, V7_OK)
    elif query == "forbidden":
        send(403, {"error": {"code": "403", "message": "Out of call volume quota."}})
    elif query == "throttled":
        send(
            429,
            {"error": {"code": "429", "message": "Rate limit is exceeded."}},
            {"Retry-After": "7"},
        )
    elif query == "throttled-until":
        send(429, {"error": {"code": "429"}}, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})
    elif query == "boom":
        send(500, {"_type": "ErrorResponse", "errors": [{"code": "ServerError"}]})
    elif query == "garbage":
        send(200, b"{not json")
    elif query == "nothing":
        send(200, {"_type": "SearchResponse", "queryContext": {"originalQuery": "nothing"}})
    elif query == "invalid":
        body = {
            "_type": "ErrorResponse",
            "errors": [{"code": "InvalidRequest", "message": "Parameter has invalid value."}],
        }
        send(400, body)
    else:
        send(404, {"error": "unexpected"})


@pytest.fixture(scope="module")
def fake_bing() -> Iterator[FakeBing]:
    state: list[FakeBing] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = parse_qs(parts.query)
            state[0].requests.append(
                {"path": parts.path, "params": params, "headers": dict(self.headers)}
            )
            if parts.path != "/v7.0/search":
                self.send_error(404)
                return
            _respond(self, params.get("q", [""])[0])

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.append(FakeBing(server))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state[0]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def bing(fake: FakeBing, key: str = KEY, client: httpx.AsyncClient | None = None) -> BingWebSearch:
    return BingWebSearch(SecretStr(key), endpoint=fake.endpoint + "/", client=client)


async def test_bing_sends_the_v7_request_and_parses_results(fake_bing: FakeBing) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        results = await bing(fake_bing, client=client).search("ok", 7)
    request = fake_bing.requests[-1]
    assert request["path"] == "/v7.0/search"
    assert request["params"] == {
        "q": ["ok"],
        "count": ["7"],
        "mkt": ["en-US"],
        "responseFilter": ["Webpages"],
        "textDecorations": ["false"],
    }
    assert request["headers"]["Ocp-Apim-Subscription-Key"] == KEY
    assert results == [
        WebResult(
            title="What is a 401(k)?",
            url="https://example.com/401k",
            snippet="A 401(k) is an employer-sponsored retirement plan.",
            source="bing",
            last_crawled="2024-05-01T10:00:00.0000000Z",
        ),
        WebResult(
            title="401(k) plans",
            url="https://example.org/plans",
            snippet="Contribution limits and matching.",
            source="bing",
            last_crawled="2024-04-02T08:30:00.0000000Z",
        ),
    ]


async def test_bing_without_an_injected_client(fake_bing: FakeBing) -> None:
    results = await bing(fake_bing).search("ok", 1)
    assert [r.url for r in results] == ["https://example.com/401k"]


async def test_bing_no_web_pages_means_no_results(fake_bing: FakeBing) -> None:
    assert await bing(fake_bing).search("nothing", 5) == []


@pytest.mark.parametrize(("key", "query"), [("wrong-key", "ok"), (KEY, "forbidden")])
async def test_bing_bad_key_is_not_retryable(
    fake_bing: FakeBing, key: str, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SkillError) as info:
        await bing(fake_bing, key=key).search(query, 5)
    assert not info.value.retryable
    assert "key is wrong" in info.value.detail
    assert key not in str(info.value)
    assert key not in caplog.text


async def test_bing_rate_limit_is_retryable_and_says_when(fake_bing: FakeBing) -> None:
    with pytest.raises(SkillError) as info:
        await bing(fake_bing).search("throttled", 5)
    assert info.value.retryable
    assert "rate limited" in info.value.detail
    assert "retry after 7 s" in info.value.detail


async def test_bing_rate_limit_with_an_http_date(fake_bing: FakeBing) -> None:
    with pytest.raises(SkillError) as info:
        await bing(fake_bing).search("throttled-until", 5)
    assert info.value.retryable
    assert info.value.detail.endswith("retry after Wed, 21 Oct 2026 07:28:00 GMT")


async def test_bing_server_error_is_retryable(fake_bing: FakeBing) -> None:
    with pytest.raises(SkillError) as info:
        await bing(fake_bing).search("boom", 5)
    assert info.value.retryable
    assert "500" in info.value.detail


async def test_bing_malformed_json(fake_bing: FakeBing) -> None:
    with pytest.raises(SkillError, match="malformed JSON"):
        await bing(fake_bing).search("garbage", 5)


async def test_bing_bad_request_reports_bings_message(fake_bing: FakeBing) -> None:
    with pytest.raises(SkillError) as info:
        await bing(fake_bing).search("invalid", 5)
    assert not info.value.retryable
    assert "Parameter has invalid value." in info.value.detail


async def test_bing_connection_refused_is_retryable_and_names_the_endpoint() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    backend = BingWebSearch(SecretStr(KEY), endpoint=endpoint)
    with pytest.raises(SkillError) as info:
        await backend.search("ok", 5)
    assert info.value.retryable
    assert endpoint in info.value.detail


async def test_skill_retries_server_errors_but_not_bad_keys(fake_bing: FakeBing) -> None:
    before = fake_bing.hits("boom")
    with pytest.raises(SkillError):
        await WebSearch(bing(fake_bing)).invoke(WebSearchQuery(query="boom"))
    assert fake_bing.hits("boom") - before == 2  # one try plus the skill's one retry

    before = fake_bing.hits("forbidden")
    with pytest.raises(SkillError):
        await WebSearch(bing(fake_bing)).invoke(WebSearchQuery(query="forbidden"))
    assert fake_bing.hits("forbidden") - before == 1


def test_article_model_rejects_bad_slugs() -> None:
    with pytest.raises(ValueError, match="pattern"):
        Article(id="Not A Slug", title="t", topic="t", body="b")
