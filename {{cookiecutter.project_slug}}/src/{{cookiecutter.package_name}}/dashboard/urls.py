"""Addresses shown on screen: never with the password they may carry."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def without_password(url: str) -> str:
    """`postgresql://app:secret@db/app` -> `postgresql://app:***@db/app`; other URLs unchanged."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
