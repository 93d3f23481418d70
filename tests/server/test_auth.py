import stat

import pytest

from careerpilot.errors import AuthenticationError
from careerpilot.server.auth import TokenSigner, load_or_create_key


def test_round_trip_and_expiry() -> None:
    signer = TokenSigner(b"k" * 32, ttl_s=60)
    token = signer.issue(42, now=1000)
    assert signer.verify(token, now=1059) == 42
    with pytest.raises(AuthenticationError, match="expired"):
        signer.verify(token, now=1061)


def test_forged_and_malformed_tokens_are_refused() -> None:
    signer = TokenSigner(b"k" * 32, ttl_s=60)
    other = TokenSigner(b"x" * 32, ttl_s=60)
    token = signer.issue(1)
    payload, _, sig = token.partition(".")
    with pytest.raises(AuthenticationError, match="signature"):
        other.verify(token)
    forged_payload = TokenSigner(b"k" * 32, ttl_s=60).issue(2).partition(".")[0]
    with pytest.raises(AuthenticationError, match="signature"):
        signer.verify(f"{forged_payload}.{sig}")
    for bad in ("", "abc", ".", f"{payload}."):
        with pytest.raises(AuthenticationError):
            signer.verify(bad)


def test_key_is_created_once_with_private_mode(tmp_path) -> None:
    path = tmp_path / "sub" / "signing.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key
