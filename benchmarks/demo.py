"""Time `CI=true make demo` from a fresh clone, as a newcomer runs it; prints figures, asserts nothing.

- cold: empty Poetry and pip caches (every package downloaded), no tools built before.
- warm: the user's own package caches, a fresh clone again (venvs and the project rebuilt).
Targets on a 2-core machine: under 4 min cold, under 90 s warm.

Usage: python benchmarks/demo.py [--no-cold]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fresh_clone import fresh_clone, newcomer_env


def time_demo(cold: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        template = fresh_clone(workdir / "cookiecutter-ai-solution")
        env, _ = newcomer_env(workdir, package_cache=workdir / "package-cache" if cold else None)
        start = time.perf_counter()
        result = subprocess.run(["make", "demo"], cwd=template, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"make demo failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        lines = len((result.stdout + result.stderr).splitlines())
        print(
            f"make demo ({'cold' if cold else 'warm'} cache): {elapsed:6.1f} s, {lines} output lines",
            flush=True,
        )
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cold", action="store_true", help="only the warm-cache run")
    args = parser.parse_args()
    if not args.no_cold:
        time_demo(cold=True)
    time_demo(cold=False)


if __name__ == "__main__":
    main()
