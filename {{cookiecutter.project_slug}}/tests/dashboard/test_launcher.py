"""The `dashboard` command, its generated login configuration, and the API calls it makes."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.dashboard.api_calls import PredictionError, request_prediction
from {{ cookiecutter.package_name }}.dashboard.auth_config import render_secrets, write_secrets
from {{ cookiecutter.package_name }}.dashboard.launcher import APP_SCRIPT, streamlit_command

from tests.dashboard.stand_in_api import stand_in_api


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_secrets_configure_streamlit_login_from_the_settings() -> None:
    current = settings(
        oidc_issuer_url="https://id.example.com/realms/acme/",
        oidc_client_id="acme-dashboard",
        oidc_client_secret='s"cret\\1',
        session_secret="cookie-secret",
        dashboard_url="https://dash.example.com",
    )

    auth = tomllib.loads(render_secrets(current))["auth"]

    assert auth == {
        "redirect_uri": "https://dash.example.com/oauth2callback",
        "cookie_secret": "cookie-secret",
        "client_id": "acme-dashboard",
        "client_secret": 's"cret\\1',
        "server_metadata_url": "https://id.example.com/realms/acme/.well-known/openid-configuration",
        "expose_tokens": ["id", "access"],
    }


def test_without_auth_the_secrets_file_has_no_login_section() -> None:
    assert tomllib.loads(render_secrets(settings(auth_enabled=False))) == {}


def test_the_secrets_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = write_secrets(settings(session_secret="x" * 32), tmp_path / "dashboard" / "secrets.toml")

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "x" * 32 in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["secrets.toml"]  # no temporary left behind


def test_streamlit_runs_headless_on_the_port_with_only_our_secrets(tmp_path: Path) -> None:
    command = streamlit_command(secrets_file=tmp_path / "s.toml", port=8601, host="192.0.2.1")

    assert command[1:5] == ["-m", "streamlit", "run", str(APP_SCRIPT)]
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options == {
        "--server.port": "8601",
        "--server.address": "192.0.2.1",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "viewer",
        "--secrets.files": str(tmp_path / "s.toml"),
    }
    assert APP_SCRIPT.is_file()


def test_the_command_refuses_a_bad_port() -> None:
    result = CliRunner().invoke(app, ["dashboard", "--port", "70000"])

    assert result.exit_code == 2
    assert "65535" in result.output


def test_a_prediction_posts_records_with_the_bearer_token() -> None:
    with stand_in_api() as api:
        api.answer = {"request_id": "r", "model": "m", "version": "3", "predictions": [1.5]}
        answer = request_prediction(
            api_url=api.url + "/", model="m/x", records=[{"a": 1}], access_token="t"
        )

    assert answer["predictions"] == [1.5]
    assert api.requests == [
        {
            "path": "/v1/models/m%2Fx/predict",
            "authorization": "Bearer t",
            "json": {"records": [{"a": 1}]},
        }
    ]


@pytest.mark.parametrize(
    ("status", "detail", "message"),
    [
        (401, "expired", "did not accept your sign-in (401): log out and log in again"),
        (403, "forbidden", "lacks the `predictor` role (403)"),
        (413, "at most 1000 records", "answered 413: at most 1000 records"),
    ],
)
def test_api_refusals_become_readable_messages(status: int, detail: str, message: str) -> None:
    with stand_in_api() as api:
        api.status, api.answer = status, {"detail": detail}
        with pytest.raises(PredictionError, match=re.escape(message)):
            request_prediction(api_url=api.url, model="m", records=[{}], access_token=None)


def test_an_api_that_is_down_names_the_address() -> None:
    with pytest.raises(
        PredictionError, match=r"the API at http://127.0.0.1:9 did not answer.*API_URL"
    ):
        request_prediction(api_url="http://127.0.0.1:9", model="m", records=[{}], access_token=None)
