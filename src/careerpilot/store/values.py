"""What the stores accept, checked where values enter the database.

SQLite stores almost anything; PostgreSQL does not, and its refusals surface as driver errors
(500s) from deep inside a request. So every store method passes its inputs through these:

* a NUL character cannot be stored in PostgreSQL text: free text has it removed;
* ``VARCHAR(n)`` lengths are enforced by PostgreSQL only: over-long labels are refused with an
  ``InputError`` (422), over-long display text (a title) is cut;
* an identifier that could never have been stored (a NUL, too long, an integer beyond the
  column's range) names nothing: it is ``NotFoundError``, the same as an unknown one, without a
  query that PostgreSQL would reject.

JSON documents need nothing: they are serialised with escapes (``\\u0000``) and the ``json``
type keeps them as text.
"""

from __future__ import annotations

from careerpilot.errors import InputError, NotFoundError

__all__ = ["INT32_MAX", "INT32_MIN", "bounded", "clean", "cut", "known_id", "known_member"]

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def clean(value: str) -> str:
    """Free text without NUL characters."""
    return value.replace("\x00", "") if "\x00" in value else value


def cut(value: str, limit: int) -> str:
    """Display text (a title) cleaned and cut to its column's length."""
    return clean(value)[:limit]


def bounded(field: str, value: str, limit: int) -> str:
    """A short label cleaned, refused when longer than its column."""
    value = clean(value)
    if len(value) > limit:
        raise InputError(f"{field} is longer than {limit} characters")
    return value


def known_id(kind: str, ident: str, limit: int) -> str:
    """An identifier to look up; one that cannot exist is reported as not found."""
    if "\x00" in ident or len(ident) > limit:
        raise NotFoundError(kind, ident.replace("\x00", "\\x00")[:limit])
    return ident


def known_member(member_id: int) -> int:
    """A member id within the column's (32-bit) range; any other owns nothing."""
    if not INT32_MIN <= member_id <= INT32_MAX:
        raise NotFoundError("member", member_id)
    return member_id
