"""The skills an assistant starts with: the network API's, plus web search."""

from __future__ import annotations

from careerpilot.config import Settings
from careerpilot.skills.base import SkillRegistry
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills
from careerpilot.skills.offline_search import DenseRanking
from careerpilot.skills.web_search import WebSearch, build_backend

__all__ = ["default_skills"]


def default_skills(
    api: NetworkApi, settings: Settings, *, knowledge: DenseRanking | None = None
) -> SkillRegistry:
    """``knowledge`` (the corpus's dense index) makes offline web search hybrid."""
    registry = network_skills(api)
    registry.register(WebSearch(build_backend(settings.web_search, dense=knowledge)))
    return registry
