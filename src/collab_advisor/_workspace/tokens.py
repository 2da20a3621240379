"""Capability links: random tokens, kept only as SHA-256 hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 24
"""192 bits from ``secrets`` per link (the issue asks for at least 128)."""
MAX_TOKEN_LENGTH = 64


def new_token() -> str:
    """A fresh link token (URL-safe text, 32 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The SHA-256 of a token in hex: the only form ever stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def plausible(token: str) -> bool:
    """Whether ``token`` could be a link token at all (length and alphabet)."""
    return (0 < len(token) <= MAX_TOKEN_LENGTH
            and all(c.isascii() and (c.isalnum() or c in "-_") for c in token))


def same_hash(stored: str, token: str) -> bool:
    """Whether ``token`` hashes to ``stored``, compared in constant time."""
    return hmac.compare_digest(stored.encode("ascii"), token_hash(token).encode("ascii"))
