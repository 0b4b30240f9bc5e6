"""`make demo` as a newcomer runs it: a fresh copy of the template, no Go, no apt-get, `CI=true`.

Shared by tests/test_demo.py (does it work) and benchmarks/demo.py (how long it takes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.baking import TEMPLATE_DIR

# Tools a newcomer may lack; shims record any call, then fail as a missing tool would.
FORBIDDEN_TOOLS = ("go", "apt-get", "apt")
SHIM = '#!/bin/sh\necho "$0 $*" >> "{log}"\necho "$(basename "$0"): not installed" >&2\nexit 127\n'


def fresh_clone(dest: Path) -> Path:
    """The files a clone of this checkout holds (tracked and new, not ignored), built nothing."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE_DIR / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def newcomer_env(workdir: Path, *, package_cache: Path | None) -> tuple[dict[str, str], Path]:
    """Environment without Go on PATH, shims recording apt/go calls, no prebuilt tool cache.

    `package_cache`: an empty folder for a cold run (Poetry and pip download everything),
    or None to keep the user's warm caches. Returns the environment and the shims' call log.
    """
    shims, calls = workdir / "shims", workdir / "forbidden-calls.log"
    shims.mkdir(parents=True, exist_ok=True)
    for tool in FORBIDDEN_TOOLS:
        (shims / tool).write_text(SHIM.format(log=calls))
        (shims / tool).chmod(0o755)
    path = [
        entry
        for entry in os.environ["PATH"].split(os.pathsep)
        # Go's own folder goes; apt sits beside essentials in /usr/bin, so the shims shadow it.
        if entry and not (Path(entry) / "go").exists() and ".venv" not in Path(entry).parts
    ]
    home_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    cache = package_cache or home_cache
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env |= {
        "PATH": os.pathsep.join([str(shims), *path]),
        "CI": "true",
        # A tool cache of its own: helm or actionlint built earlier must not hide a Go build.
        "XDG_CACHE_HOME": str(workdir / "xdg-cache"),
        "POETRY_CACHE_DIR": str(cache / "pypoetry"),
        "PIP_CACHE_DIR": str(cache / "pip"),
    }
    return env, calls
