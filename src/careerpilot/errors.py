"""Every error careerpilot raises on purpose, in one tree.

::

    CareerpilotError                 base; has a stable ``code``, ``retryable`` and ``http_status``
    ├── ConfigurationError           the operator's mistake: bad settings, a file that is not there
    │   ├── ModelFileNotFoundError   the configured GGUF / ONNX file does not exist
    │   └── IndexNotBuiltError       a search needs indexes `careerpilot data index` builds
    ├── InputError                   the member's request cannot be served as asked (4xx)
    │   ├── InvalidQuestionError     empty or oversized question
    │   ├── NotFoundError            unknown member, job, company, post or conversation
    │   ├── AuthenticationError      missing, malformed, forged or expired bearer token
    │   └── PermissionDeniedError    a valid token, but not an operator's (operations routes)
    ├── UpstreamError                something we call failed at run time (retryable)
    │   ├── ModelError               an LLM backend failed mid-request
    │   │   └── ModelUnavailableError  the LLM server cannot be reached at all
    │   ├── SkillError               a skill's API call failed; renders itself for the LLM
    │   ├── StorageError             the conversation store could not write (retryable)
    │   └── DeadlineExceededError    the turn ran past its deadline (retryable)
    ├── BudgetExceededError          a token budget (per turn, or per member per day) is spent
    └── OutputError                  a model produced output we could not use

Errors that go back to an LLM (``SkillError``) render themselves with ``for_llm()`` so that a
planner can read what went wrong and correct itself.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "BudgetExceededError",
    "CareerpilotError",
    "ConfigurationError",
    "DeadlineExceededError",
    "IndexNotBuiltError",
    "InputError",
    "InvalidQuestionError",
    "ModelError",
    "ModelFileNotFoundError",
    "ModelUnavailableError",
    "NotFoundError",
    "OutputError",
    "PermissionDeniedError",
    "SkillError",
    "StorageError",
    "UpstreamError",
]


class CareerpilotError(Exception):
    """Base of every careerpilot error; ``code`` is stable and safe to show to clients."""

    code: str = "internal_error"
    retryable: bool = False
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "retryable": self.retryable}


class ConfigurationError(CareerpilotError):
    code = "configuration_error"


class ModelFileNotFoundError(ConfigurationError):
    code = "model_file_not_found"


class IndexNotBuiltError(ConfigurationError):
    code = "index_not_built"
    http_status = 503


class InputError(CareerpilotError):
    code = "invalid_input"
    http_status = 422


class InvalidQuestionError(InputError):
    code = "invalid_question"


class NotFoundError(InputError):
    code = "not_found"
    http_status = 404

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} {ident} does not exist")
        self.kind = kind
        self.ident = ident


class AuthenticationError(InputError):
    code = "unauthenticated"
    http_status = 401


class PermissionDeniedError(InputError):
    code = "forbidden"
    http_status = 403


class UpstreamError(CareerpilotError):
    code = "upstream_error"
    retryable = True
    http_status = 502


class ModelError(UpstreamError):
    code = "model_error"


class ModelUnavailableError(ModelError):
    code = "model_unavailable"
    http_status = 503


class SkillError(UpstreamError):
    """A skill failed. ``for_llm`` gives the planner a short, actionable description."""

    code = "skill_error"

    def __init__(self, skill: str, message: str, *, retryable: bool = True) -> None:
        super().__init__(f"skill {skill!r} failed: {message}")
        self.skill = skill
        self.detail = message
        self.retryable = retryable

    def for_llm(self) -> str:
        return f"ERROR from {self.skill}: {self.detail}"


class StorageError(UpstreamError):
    code = "storage_error"
    http_status = 503


class DeadlineExceededError(UpstreamError):
    code = "deadline_exceeded"
    http_status = 504


class BudgetExceededError(CareerpilotError):
    code = "budget_exceeded"
    http_status = 429


class OutputError(CareerpilotError):
    code = "bad_model_output"
    retryable = True
