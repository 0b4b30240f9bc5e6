"""The sign-in check with auth on: login prompt, role `viewer`, the token forwarded to the API."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.auth import TokenVerifier
from {{ cookiecutter.package_name }}.dashboard.sign_in import access_token_state, signed_in_roles

from tests.dashboard.backends import (
    APP_SCRIPT,
    MODEL,
    UNREACHABLE_ISSUER,
    VIEWS,
    by_label,
    signed_in,
)
from tests.dashboard.stand_in_api import stand_in_api

TIMEOUT = 60


def test_a_visitor_sees_only_the_login_button(
    auth_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as provider:
        monkeypatch.setenv("OIDC_ISSUER_URL", f"http://localhost:{provider.server_port}")
        app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
        app.user = {"is_logged_in": False}
        app.run()

    assert [button.label for button in app.button] == ["Log in"]
    assert not app.error
    assert not app.metric
    assert not app.warning  # no auth-off banner when auth is on


def test_a_visitor_is_told_when_the_sign_in_service_is_down_and_can_retry(auth_on: Path) -> None:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = {"is_logged_in": False}
    app.run()

    assert f"The sign-in service at {UNREACHABLE_ISSUER} is not answering" in app.error[0].value
    assert [button.label for button in app.button] == ["Retry"]
    assert not app.metric


def test_a_user_without_viewer_role_is_refused(auth_on: Path) -> None:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = signed_in(["predictor"])
    app.run()

    assert "Ada Lovelace, but the dashboard needs the role `viewer`" in app.error[0].value
    assert not app.metric
    assert [button.label for button in app.button] == ["Log out"]


def test_a_viewer_sees_the_models_page(auth_on: Path) -> None:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = signed_in(["viewer"])
    app.run()

    assert not app.exception, app.exception
    assert {m.label: m.value for m in app.metric}["Served version (champion)"] == "v1"
    assert "Signed in as **Ada Lovelace**" in app.sidebar.caption[0].value


def test_a_signed_in_viewer_opening_a_page_on_its_own_is_not_asked_to_sign_in(
    auth_on: Path,
) -> None:
    # A page script run in a fresh session, as when the browser opens /models directly.
    app = AppTest.from_file(VIEWS / "models.py", default_timeout=TIMEOUT)
    app.user = signed_in(["viewer"])
    app.run()

    assert not app.exception, app.exception
    assert not any("sign in" in error.value for error in app.error)
    assert {m.label: m.value for m in app.metric}["Served version (champion)"] == "v1"


def test_predictions_go_to_the_api_with_the_users_access_token(
    auth_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with stand_in_api() as api:
        api.answer = {"request_id": "r-1", "model": MODEL, "version": "1", "predictions": [2]}
        monkeypatch.setenv("API_URL", api.url)
        app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
        app.user = signed_in(["viewer", "predictor"], token="token-of-ada")
        app.run()
        app.switch_page("views/try_prediction.py").run()
        by_label(app.button, "Predict").click().run()

    assert [r["authorization"] for r in api.requests] == ["Bearer token-of-ada"]
    assert "Prediction: **2**" in app.success[0].value


def test_a_viewer_without_predictor_role_cannot_submit(auth_on: Path) -> None:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = signed_in(["viewer"])
    app.run()
    app.switch_page("views/try_prediction.py").run()

    assert "lacks the `predictor` role" in app.warning[0].value
    assert by_label(app.button, "Predict").disabled


def test_roles_come_from_the_id_token_when_the_access_token_is_opaque() -> None:
    verifier = TokenVerifier(issuer_url=UNREACHABLE_ISSUER, audience="api", roles_claim="x")
    roles, problem = signed_in_roles(
        id_claims={"realm_access": {"roles": ["viewer"]}, "groups": ["admin"]},
        access_token="opaque-random-string",
        verifier=verifier,
        roles_claim="realm_access.roles,groups",
    )

    assert roles == {"viewer", "admin"}
    assert problem is None  # an opaque token is normal, not a problem to report


def jwt_token(*, expires: float, issued: float | None = None) -> str:
    # Signed with a throwaway key: the dashboard reads `exp` only; the API verifies signatures.
    claims: dict[str, object] = {"sub": "ada", "exp": int(expires)}
    if issued is not None:
        claims["iat"] = int(issued)
    return jwt.encode(claims, "k" * 32, algorithm="HS256")


def test_a_token_dead_on_arrival_asks_to_sign_in_again_not_for_a_role(auth_on: Path) -> None:
    # Issued a moment ago yet expired: the clocks disagree, so a silent renewal would loop.
    now = time.time()
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = signed_in(["viewer"], token=jwt_token(expires=now - 1, issued=now - 2))
    app.run()

    assert "Your session has expired" in app.info[0].value
    assert [button.label for button in app.button] == ["Sign in again"]
    assert not app.error  # never "needs the role viewer"
    assert not app.metric


def test_an_access_token_is_renewed_shortly_before_it_expires() -> None:
    now = time.time()
    assert access_token_state(jwt_token(expires=now + 300, issued=now - 10), now=now) == "usable"
    assert access_token_state(jwt_token(expires=now + 10, issued=now - 50), now=now) == "renew"
    assert access_token_state(jwt_token(expires=now - 100, issued=now - 400), now=now) == "renew"
    assert access_token_state(jwt_token(expires=now - 1), now=now) == "renew"
    # Fresh from the provider: never sent back at once, whatever its exp says.
    assert access_token_state(jwt_token(expires=now + 5, issued=now - 1), now=now) == "usable"
    assert access_token_state(jwt_token(expires=now - 1, issued=now - 2), now=now) == "expired"
    for not_a_jwt in ("opaque-random-string", "not.a.jwt", None):
        assert access_token_state(not_a_jwt, now=now) == "usable"
