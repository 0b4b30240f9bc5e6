"""Shared fixtures: one bake per (engine, option combination), reused by every check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.baking import Engine, bake

_bakes: dict[tuple[Engine, str], Path] = {}


@pytest.fixture(scope="session")
def bake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bakes")


@pytest.fixture(scope="session")
def baked(bake_dir: Path) -> Callable[[Engine, dict[str, str], str], Path]:
    """`baked(engine, answers, key)`: the generated project, rendered once per session."""

    def _baked(engine: Engine, answers: dict[str, str], key: str) -> Path:
        if (engine, key) not in _bakes:
            _bakes[(engine, key)] = bake(engine, answers, bake_dir / key.replace("=", "-").replace(",", "_"))
        return _bakes[(engine, key)]

    return _baked
