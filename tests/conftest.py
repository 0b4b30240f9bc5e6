"""Shared fixtures: one bake per (engine, option combination), reused by every check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.baking import Engine, bake
from tests.matrix import MATRIX, bake_id

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


@pytest.fixture(params=MATRIX, ids=[bake_id(answers) for answers in MATRIX])
def combo(request: pytest.FixtureRequest) -> dict[str, str]:
    """Each option combination of the matrix, by its readable id."""
    answers: dict[str, str] = request.param
    return answers


@pytest.fixture
def project(combo: dict[str, str], baked: Callable[[Engine, dict[str, str], str], Path]) -> Path:
    """The cookiecutter bake of `combo`."""
    return baked("cookiecutter", combo, bake_id(combo))
