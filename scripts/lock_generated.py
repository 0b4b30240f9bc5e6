"""Re-lock the generated project's dependencies: one `poetry.lock` per value of the options that
change what Poetry's lock hash covers (template_hooks/locks.py), written to `locks/`.

Each variant is baked with default answers otherwise, then `poetry lock` runs in it: versions
already locked stay where the new constraints allow (pass --regenerate to re-resolve all).
Usage: python scripts/lock_generated.py [--regenerate]   (or `make lock-generated`)
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR))

from template_hooks import locks, manifest  # noqa: E402
from tests.baking import bake, default_answers  # noqa: E402

POETRY = os.environ.get("POETRY", str(TEMPLATE_DIR / ".tools" / "bin" / "poetry"))


def variants() -> list[dict[str, str]]:
    """Every combination of the values of the options the lock depends on."""
    values = manifest.choices(manifest.load())
    return [
        dict(zip(locks.LOCK_OPTIONS, combo, strict=True))
        for combo in itertools.product(*(values[option] for option in locks.LOCK_OPTIONS))
    ]


def relock(variant: dict[str, str], workdir: Path, *, regenerate: bool) -> Path:
    lock = locks.lock_path(**variant)
    if not lock.exists():
        lock.write_text("", encoding="utf-8")  # the bake renders it; an empty one means a fresh resolve
    project = bake("cookiecutter", {**default_answers(), **variant}, workdir)
    baked = project / "poetry.lock"
    if not baked.read_text(encoding="utf-8").strip():
        baked.unlink()
    command = [POETRY, "lock", "--no-interaction", *(["--regenerate"] if regenerate else [])]
    subprocess.run(command, cwd=project, check=True)
    shutil.copyfile(baked, lock)
    return lock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate", action="store_true", help="re-resolve every version")
    regenerate = parser.parse_args().regenerate
    for variant in variants():
        with tempfile.TemporaryDirectory() as workdir:
            lock = relock(variant, Path(workdir), regenerate=regenerate)
        print(f"{lock.relative_to(TEMPLATE_DIR)}: locked for {variant}", flush=True)


if __name__ == "__main__":
    main()
