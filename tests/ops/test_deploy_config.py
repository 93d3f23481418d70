"""The example configuration in docs/deploy.md loads, and its endpoint pool is what it says."""

import re
from pathlib import Path

import pytest

from careerpilot.config import Settings
from careerpilot.llm.pool import EndpointPool
from careerpilot.llm.testing import ScriptedModel

DEPLOY = Path(__file__).parents[2] / "docs" / "deploy.md"


def test_the_documented_configuration_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = re.search(r"```toml\n(.*?)```", DEPLOY.read_text(), re.S)
    assert example is not None
    config = tmp_path / "careerpilot.toml"
    config.write_text(example.group(1))
    monkeypatch.setenv("CAREERPILOT_CONFIG", str(config))
    settings = Settings(data_dir=tmp_path)
    assert settings.app_db_url.startswith("postgresql+asyncpg://")
    assert settings.server.max_concurrent_turns == 200 and not settings.server.dev_sign_in
    assert settings.vector_store.backend == "qdrant"
    assert settings.server.operators == [17, 42] and settings.server.metrics_token
    assert settings.chain_of_thought.agents == ["job_assessment", "career_advice"]
    pool = EndpointPool(settings, make_model=lambda s: ScriptedModel(name=s.model))
    assert [e.name for e in pool.chain("default")] == ["default", "backup"]
    assert [e.name for e in pool.chain("small")] == ["small", "default"]
    assert pool.for_task("planner").endpoint == "small"
    assert pool.endpoints["default"].max_concurrency == 256
    assert pool.endpoints["backup"].price.completion_per_1k == 0.0015
