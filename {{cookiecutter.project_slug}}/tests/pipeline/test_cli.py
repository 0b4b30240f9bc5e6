"""`pipeline` and `models` commands: user mistakes give a message and an exit code, no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app

from tests.fixtures.embedded import seed_store


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    seed_store(tmp_path / "var")
    monkeypatch.chdir(tmp_path)  # no .env here: only the variables below apply
    monkeypatch.setenv("ENVIRONMENT", "dev")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'var' / 'mlflow.db'}")
    return CliRunner()


def invoke(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    output = result.output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(output.split())


def test_pipeline_list_shows_every_model(cli: CliRunner) -> None:
    code, output = invoke(cli, "pipeline", "list")
    assert code == 0
    assert "tumor-classifier" in output
    assert "disease-progression" in output


def test_unknown_model_is_a_usage_error(cli: CliRunner) -> None:
    code, output = invoke(cli, "pipeline", "run", "--model", "nope")
    assert code == 2
    assert "unknown model 'nope'" in output


def test_data_without_model_is_refused(cli: CliRunner) -> None:
    code, output = invoke(cli, "pipeline", "run", "--data", "x.csv")
    assert code == 2
    assert "--data/--query need --model" in output


def test_missing_data_file_exits_1_with_the_path(cli: CliRunner, tmp_path: Path) -> None:
    code, output = invoke(
        cli, "pipeline", "run", "--model", "disease-progression", "--data", "absent.csv"
    )
    assert code == 1
    assert f"data file not found: {tmp_path / 'absent.csv'}" in output


def test_models_commands_on_an_empty_registry(cli: CliRunner, tmp_path: Path) -> None:
    # No store file and no var/ folder: the first command creates both.
    shutil.rmtree(tmp_path / "var")
    code, output = invoke(cli, "models", "list")
    assert code == 0
    assert output.count("not trained") == 2
    code, output = invoke(cli, "models", "promote", "tumor-classifier", "7", "--reason", "try")
    assert code == 1
    assert "no version 7" in output
    code, output = invoke(cli, "models", "rollback", "tumor-classifier")
    assert code == 1
    assert "has no champion to roll back" in output
    code, output = invoke(cli, "models", "rollback", "nope")
    assert code == 2


def test_unreachable_registry_is_reported(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fixtures.services import free_port

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    code, output = invoke(cli, "models", "list")
    assert code == 1
    assert "model registry unreachable" in output
