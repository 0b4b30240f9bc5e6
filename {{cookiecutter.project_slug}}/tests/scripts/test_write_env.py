"""scripts/write_env.py: fresh secrets in .env, never overwriting one silently."""

from __future__ import annotations

import importlib.util
import stat
from pathlib import Path
from types import ModuleType

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


def load_writer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "write_env", PROJECT_DIR / "scripts" / "write_env.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".env.example").write_text(
        (PROJECT_DIR / ".env.example").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return tmp_path


def test_every_placeholder_gets_its_own_secret(project: Path) -> None:
    writer = load_writer()
    env = writer.write_env(project).read_text(encoding="utf-8")
    values = dict(
        line.split("=", 1) for line in env.splitlines() if "=" in line and not line.startswith("#")
    )
    secrets = [v for k, v in values.items() if k.endswith(("SECRET", "PASSWORD", "SECRET_KEY"))]
    assert len(secrets) >= 4
    assert writer.PLACEHOLDER not in values.values()
    assert len(set(secrets)) == len(secrets)
    assert all(len(secret) >= 40 for secret in secrets)


def test_env_is_private_to_its_owner(project: Path) -> None:
    mode = stat.S_IMODE(load_writer().write_env(project).stat().st_mode)
    assert mode == 0o600


def test_existing_env_is_kept_unless_forced(project: Path) -> None:
    writer = load_writer()
    (project / ".env").write_text("KEEP=me\n", encoding="utf-8")
    assert writer.main(["--project-dir", str(project)]) == 1
    assert (project / ".env").read_text(encoding="utf-8") == "KEEP=me\n"
    assert writer.main(["--project-dir", str(project), "--force"]) == 0
    assert "KEEP=me" not in (project / ".env").read_text(encoding="utf-8")
