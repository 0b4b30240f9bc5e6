"""The host's tools (ip, iptables, openssl), run checked while starting, quietly while cleaning up."""

from __future__ import annotations

import subprocess


def run_checked(*argv: str, stdin: str | None = None) -> str:
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr.strip()}")
    return result.stdout


def run_quiet(*argv: str, stdin: str | None = None) -> str:
    """stdout, or "" if the tool fails, is missing or hangs: a cleanup removes what is there."""
    try:
        return subprocess.run(
            argv, input=stdin, capture_output=True, text=True, check=False, timeout=60
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
