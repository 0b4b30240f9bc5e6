"""The `poetry.lock` files the template ships: one per value of the options Poetry's lock hash sees.

Poetry hashes `requires-python` (set by `python_version`) and the dependency groups (the
dashboard's is pruned with `dashboard=none`); no other option changes those sections, so
`tests/test_bake_matrix.py` checks every bake with `poetry check --lock`.
Regenerate them with `make lock-generated`.
"""

from __future__ import annotations

from pathlib import Path

LOCKS_DIR = Path(__file__).resolve().parents[1] / "locks"
LOCK_OPTIONS = ("python_version", "dashboard")


def lock_path(python_version: str, dashboard: str) -> Path:
    return LOCKS_DIR / f"python{python_version}-dashboard-{dashboard}.lock"


def shipped_lock(python_version: str, dashboard: str) -> str:
    return lock_path(python_version, dashboard).read_text(encoding="utf-8")
