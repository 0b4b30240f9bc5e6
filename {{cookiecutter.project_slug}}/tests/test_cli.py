"""The command line, driven through the installed console script's Typer app."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.cli import app

runner = CliRunner()


def test_version_prints_the_installed_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"{{ cookiecutter.project_slug }} {__version__}"
    assert __version__ != "0.0.0"


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = list(app.registered_commands)
    assert commands
    for command in commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0, sub.output
        assert name in result.output


def test_settings_masks_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SESSION_SECRET", "do-not-print-me")
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0, result.output
    assert "SESSION_SECRET" in result.output
    assert "do-not-print-me" not in result.output


def test_bad_configuration_is_a_clear_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "staging")
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 2
    assert "Configuration error" in result.output
    assert "environment" in result.output
    assert "Traceback" not in result.output


def test_smoke_without_the_machine_clients_secret_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OIDC_MACHINE_CLIENT_SECRET", raising=False)
    result = runner.invoke(app, ["smoke", "--api-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    assert "OIDC_MACHINE_CLIENT_SECRET is not set" in result.output
