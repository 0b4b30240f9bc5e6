"""The sign-in check against a stand-in provider that fails the way real ones do.

The real Keycloak answers (401 for a wrong client secret, 400 for an unregistered redirect URI)
are checked by the template's single sign-on test; the mock provider's by test_sign_in.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.dashboard.provider_check import sign_in_problem

from tests.loopback_http import JsonHandler, serve

CREDENTIAL = "the-dashboard-credential"
REDIRECT = "http://127.0.0.1:8599/oauth2callback"


@dataclass
class StandInProvider:
    issuer: str = ""
    metadata_status: int = 200
    token_status: int = 400  # a known client with a made-up code: invalid_grant
    authorize_status: int = 302


@contextmanager
def stand_in_provider(**statuses: int) -> Iterator[StandInProvider]:
    """A provider on loopback answering with the given statuses (see StandInProvider)."""
    provider = StandInProvider(**statuses)

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/.well-known/openid-configuration"):
                self.send_json(
                    provider.metadata_status,
                    {
                        "token_endpoint": f"{provider.issuer}/token",
                        "authorization_endpoint": f"{provider.issuer}/authorize",
                    },
                )
            else:
                self.send_json(provider.authorize_status, {})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_json(provider.token_status, {"error": "invalid_grant"})

    server, provider.issuer = serve(Handler)
    try:
        yield provider
    finally:
        server.shutdown()


def check(issuer: str) -> str | None:
    return sign_in_problem(
        issuer_url=issuer, client_id="dashboard", client_secret=CREDENTIAL, redirect_uri=REDIRECT
    )


def reported_problem(**statuses: int) -> str:
    """What the check reports against a stand-in provider answering with `statuses`."""
    with stand_in_provider(**statuses) as provider:
        problem = check(provider.issuer)
    assert problem is not None
    return problem


def test_a_working_provider_raises_no_problem() -> None:
    with stand_in_provider() as provider:
        assert check(provider.issuer) is None


def test_a_provider_that_is_down_is_named_with_the_setting_to_check() -> None:
    problem = check("http://127.0.0.1:9/realms/gone")
    assert problem is not None
    assert "http://127.0.0.1:9/realms/gone is not answering" in problem
    assert "OIDC_ISSUER_URL" in problem


def test_a_wrong_issuer_path_is_told_apart_from_a_provider_that_is_down() -> None:
    problem = reported_problem(metadata_status=404)
    assert "no OpenID configuration (HTTP 404)" in problem


def test_a_refused_client_secret_names_the_setting_but_never_the_secret() -> None:
    problem = reported_problem(token_status=401)
    assert "client `dashboard`" in problem
    assert "OIDC_CLIENT_SECRET" in problem
    assert CREDENTIAL not in problem


def test_a_refused_redirect_uri_says_which_address_to_allow() -> None:
    problem = reported_problem(authorize_status=400)
    assert f"refuses {REDIRECT}" in problem
    assert "http://127.0.0.1:8599/*" in problem
    assert "DASHBOARD_URL" in problem
