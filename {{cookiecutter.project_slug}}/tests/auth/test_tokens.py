"""`auth token`: the device grant's polling rules and client credentials, over real HTTP.

A small local provider answers with scripted RFC 8628 / RFC 6749 responses; the template's
SSO test runs the same commands against a real Keycloak.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.auth.tokens import (
    DeviceCode,
    TokenRequestError,
    poll_device_token,
    start_device_authorization,
)
from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.client import ClientCredentialsToken

from tests.loopback_http import JsonHandler, serve


class ScriptedProvider:
    """Discovery, device authorization and a token endpoint answering from `token_answers`."""

    def __init__(self) -> None:
        self.token_answers: list[tuple[int, dict[str, Any]]] = []
        self.token_forms: list[dict[str, str]] = []
        self.device = True
        provider = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                document: dict[str, Any] = {
                    "issuer": provider.url,
                    "token_endpoint": f"{provider.url}/token",
                }
                if provider.device:
                    document["device_authorization_endpoint"] = f"{provider.url}/device"
                self.send_json(200, document)

            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path == "/device":
                    self.send_json(
                        200,
                        {
                            "device_code": "dev-code",
                            "user_code": "ABCD-EFGH",
                            "verification_uri": f"{provider.url}/activate",
                            "expires_in": 600,
                            "interval": 5,
                        },
                    )
                    return
                provider.token_forms.append(form)
                self.send_json(*provider.token_answers.pop(0))

        self.server, self.url = serve(Handler)


@pytest.fixture
def provider() -> Iterator[ScriptedProvider]:
    scripted = ScriptedProvider()
    yield scripted
    scripted.server.shutdown()


class FakeClock:
    """Sleeping advances the clock instead of waiting: the polling rules, without the wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def code(expires_in: float = 600) -> DeviceCode:
    return DeviceCode("dev-code", "ABCD-EFGH", "http://x/activate", None, expires_in, 5)


def test_device_grant_waits_while_pending_and_slows_down_when_told(
    provider: ScriptedProvider,
) -> None:
    provider.token_answers = [
        (400, {"error": "authorization_pending"}),
        (400, {"error": "slow_down"}),
        (200, {"access_token": "the-token", "expires_in": 300}),
    ]
    clock = FakeClock()
    token_url, device = start_device_authorization(provider.url, client_id="cli")
    assert device.user_code == "ABCD-EFGH"
    assert (
        poll_device_token(token_url, device, client_id="cli", sleep=clock.sleep, clock=clock)
        == "the-token"
    )
    assert clock.sleeps == [5, 5, 10], "slow_down adds 5 s to the interval (RFC 8628 3.5)"
    assert provider.token_forms[0] == {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": "dev-code",
        "client_id": "cli",
    }


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"error": "access_denied"}, "declined"),
        ({"error": "expired_token"}, "code expired"),
        ({"error": "invalid_client", "error_description": "no such client"}, "no such client"),
    ],
    ids=["denied", "expired", "other-error"],
)
def test_device_grant_stops_with_a_readable_reason(
    provider: ScriptedProvider, answer: dict[str, Any], message: str
) -> None:
    provider.token_answers = [(400, answer)]
    clock = FakeClock()
    with pytest.raises(TokenRequestError, match=message):
        poll_device_token(
            f"{provider.url}/token", code(), client_id="cli", sleep=clock.sleep, clock=clock
        )


def test_device_grant_gives_up_when_the_code_expires(provider: ScriptedProvider) -> None:
    provider.token_answers = [(400, {"error": "authorization_pending"})] * 3
    clock = FakeClock()
    with pytest.raises(TokenRequestError, match="code expired"):
        poll_device_token(
            f"{provider.url}/token",
            code(expires_in=12),
            client_id="cli",
            sleep=clock.sleep,
            clock=clock,
        )
    assert len(provider.token_forms) == 3


def test_a_provider_without_the_device_grant_is_named(provider: ScriptedProvider) -> None:
    provider.device = False
    with pytest.raises(TokenRequestError, match="offers no device authorization grant"):
        start_device_authorization(provider.url, client_id="cli")


def test_client_credentials_are_discovered_and_reused_until_near_expiry(
    provider: ScriptedProvider,
) -> None:
    provider.token_answers = [(200, {"access_token": "machine-token", "expires_in": 300})]
    token = ClientCredentialsToken.for_issuer(
        provider.url, client_id="machine", client_secret="s3cret"
    )
    assert token() == token() == "machine-token"
    assert len(provider.token_forms) == 1
    assert provider.token_forms[0]["grant_type"] == "client_credentials"


def test_a_refused_client_says_why_without_the_secret(provider: ScriptedProvider) -> None:
    provider.token_answers = [
        (401, {"error": "unauthorized_client", "error_description": "Invalid client credentials"})
    ]
    token = ClientCredentialsToken.for_issuer(
        provider.url, client_id="machine", client_secret="s3cret"
    )
    with pytest.raises(TokenRequestError, match="unauthorized_client") as refused:
        token()
    assert "s3cret" not in str(refused.value)


def test_auth_token_machine_prints_only_the_token(
    provider: ScriptedProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.token_answers = [(200, {"access_token": "machine-token", "expires_in": 300})]
    monkeypatch.setenv("OIDC_ISSUER_URL", provider.url)
    monkeypatch.setenv("OIDC_MACHINE_CLIENT_SECRET", "s3cret")
    result = CliRunner().invoke(app, ["auth", "token", "--machine"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "machine-token\n"


def test_auth_token_machine_without_a_secret_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OIDC_MACHINE_CLIENT_SECRET", raising=False)
    monkeypatch.chdir("/")  # no .env here
    result = CliRunner().invoke(app, ["auth", "token", "--machine"])
    assert result.exit_code == 2
    assert "OIDC_MACHINE_CLIENT_SECRET is not set" in result.output


def test_auth_token_for_people_shows_the_code_then_prints_the_token(
    provider: ScriptedProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.token_answers = [(200, {"access_token": "person-token", "expires_in": 300})]
    monkeypatch.setenv("OIDC_ISSUER_URL", provider.url)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    result = CliRunner().invoke(app, ["auth", "token"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "person-token\n"
    assert "ABCD-EFGH" in result.stderr
