"""Write `.env` from `.env.example`, giving every `change-me` secret its own random value.

Standard library only: the project generator runs it too, before anything is installed.
Refuses to replace an existing `.env` (its secrets may be in use) unless --force is given.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

PLACEHOLDER = "change-me"


def fill_secrets(example: str, token_bytes: int = 32) -> str:
    """Replace each placeholder value with its own random token, keeping everything else."""
    lines = []
    for line in example.splitlines(keepends=True):
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#") and value.strip() == PLACEHOLDER:
            line = f"{key}={secrets.token_urlsafe(token_bytes)}\n"
        lines.append(line)
    return "".join(lines)


def write_env(project_dir: Path, *, force: bool = False) -> Path:
    """Create `.env`, readable by its owner only. Never prints a secret."""
    target = project_dir / ".env"
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; pass --force to replace it and its secrets")
    content = fill_secrets((project_dir / ".env.example").read_text(encoding="utf-8"))
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    parser.add_argument("--force", action="store_true", help="replace an existing .env")
    args = parser.parse_args(argv)
    try:
        target = write_env(args.project_dir, force=args.force)
    except FileExistsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {target} with fresh secrets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
