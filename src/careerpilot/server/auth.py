"""Bearer tokens: HMAC-SHA256 signed ``member id + expiry``, key kept in the data directory.

Format: ``base64url(json payload) "." base64url(signature)``. The key is created with mode 0600
on first use, so tokens survive restarts and one deployment cannot forge another's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from careerpilot.errors import AuthenticationError

__all__ = ["TokenSigner", "load_or_create_key"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_or_create_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        # O_EXCL: if two processes race on first start, one wins and the other reads its key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key


class TokenSigner:
    def __init__(self, key: bytes, ttl_s: int) -> None:
        self._key = key
        self.ttl_s = ttl_s

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def issue(self, member_id: int, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        body = json.dumps({"sub": member_id, "iat": issued, "exp": issued + self.ttl_s})
        payload = _b64(body.encode())
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str, now: float | None = None) -> int:
        """The member id the token was issued to; ``AuthenticationError`` otherwise."""
        payload, sep, signature = token.partition(".")
        if not sep or not payload or not signature:
            raise AuthenticationError("malformed bearer token")
        if not hmac.compare_digest(self._sign(payload), signature):
            raise AuthenticationError("invalid bearer token signature")
        try:
            claims = json.loads(_unb64(payload))
            member_id = int(claims["sub"])
            expires = int(claims["exp"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthenticationError("malformed bearer token") from exc
        if expires < (now if now is not None else time.time()):
            raise AuthenticationError("the bearer token has expired; issue a new one")
        return member_id
