"""Measure generation and generation-to-green times; prints figures, asserts nothing.

- generate: median wall time of one `cookiecutter` / `copier copy` run with default answers
  (command line, as a user runs it; no installation). Target: under 2 s.
- green: wall time from generation to a passing generated test suite (bake, `make install`,
  `make test`, as a newcomer runs them), once with an empty Poetry cache (cold) and once with
  the usual one (warm).

Usage: python benchmarks/bake.py [--runs N] [--no-green]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.baking import ENGINES, Engine, bake, default_answers


def time_generation(engine: Engine, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            bake(engine, default_answers(), Path(tmp))
            timings.append(time.perf_counter() - start)
    return timings


def time_to_green(cache_dir: Path | None) -> dict[str, float]:
    """Seconds for each phase: generate, install, test."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {
        "POETRY_VIRTUALENVS_IN_PROJECT": "true"
    }
    if cache_dir is not None:
        env["POETRY_CACHE_DIR"] = str(cache_dir)
    if shutil.which("poetry") is None:
        raise SystemExit("poetry is not on PATH: run `make bench`, which bootstraps it")
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        project = bake("cookiecutter", default_answers(), Path(tmp))
        phases["generate"] = time.perf_counter() - start
        for phase, command in (
            ("install", ["make", "install"]),
            ("test", ["make", "test"]),
        ):
            start = time.perf_counter()
            print(f"  {phase}...", flush=True)
            subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
            phases[phase] = time.perf_counter() - start
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="generations per engine (default 5)")
    parser.add_argument("--no-green", action="store_true", help="skip the generation-to-green timings")
    args = parser.parse_args()

    print(f"generation, default answers, median of {args.runs} runs (target < 2 s):")
    for engine in ENGINES:
        timings = time_generation(engine, args.runs)
        spread = f"min {min(timings):.2f}, max {max(timings):.2f}"
        print(f"  {engine:<12} median {statistics.median(timings):.2f} s  ({spread})")
    if args.no_green:
        return
    for label, cache in (("cold", Path(tempfile.mkdtemp(prefix="poetry-cache-"))), ("warm", None)):
        print(f"generation to green test suite, {label} Poetry cache:")
        phases = time_to_green(cache)
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
        detail = ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
        print(f"  total {sum(phases.values()):.1f} s ({detail})")


if __name__ == "__main__":
    main()
