"""A JSON client for internal APIs that maps HTTP failures onto careerpilot's error types."""

from __future__ import annotations

from typing import Any

import httpx

from careerpilot.errors import NotFoundError, SkillError

__all__ = ["NetworkApi"]

_SINGULAR = {"jobs": "job", "members": "member", "companies": "company", "posts": "post"}


class NetworkApi:
    """A thin JSON client that maps HTTP failures onto careerpilot's error types."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, skill: str, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = await self.client.get(path, params=params)
        except httpx.TimeoutException as exc:
            raise SkillError(skill, f"the API timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise SkillError(
                skill, f"the API is unreachable at {self.client.base_url}: {exc}"
            ) from exc
        if response.status_code == 404:
            collection, _, ident = path.strip("/").rpartition("/")
            kind = _SINGULAR.get(collection.rsplit("/", 1)[-1], "entity")
            raise NotFoundError(kind, ident)
        if response.status_code >= 500:
            raise SkillError(skill, f"the API answered {response.status_code}")
        if response.status_code >= 400:
            raise SkillError(
                skill,
                f"the API refused the call ({response.status_code}): {response.text[:200]}",
                retryable=False,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise SkillError(skill, "the API answered with malformed JSON") from exc
