"""The sign-in check with auth on: login prompt, role `viewer`, the token forwarded to the API."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.auth import TokenVerifier
from {{ cookiecutter.package_name }}.dashboard.sign_in import access_token_expired, signed_in_roles

from tests.dashboard.backends import APP_SCRIPT, MODEL, VIEWS, by_label
from tests.dashboard.stand_in_api import stand_in_api

TIMEOUT = 60
# Nothing listens here: an opaque access token is rejected before any key is fetched.
UNREACHABLE_ISSUER = "http://127.0.0.1:9/realms/test"


@pytest.fixture
def auth_on(dashboard_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUTH_ENABLED", "true")
    monkeypatch.setenv("OIDC_ISSUER_URL", UNREACHABLE_ISSUER)
    return dashboard_env


def signed_in(roles: list[str], *, token: str = "opaque-access-token") -> dict[str, object]:  # noqa: S107
    """What st.user holds after an OIDC login whose ID token carries Keycloak realm roles."""
    return {
        "is_logged_in": True,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "realm_access": {"roles": roles},
        "tokens": {"access": token},
    }


def test_a_visitor_sees_only_the_login_button(auth_on: Path) -> None:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = {"is_logged_in": False}
    app.run()

    assert [button.label for button in app.button] == ["Log in"]
    assert not app.metric
    assert not app.warning  # no auth-off banner when auth is on


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


def jwt_expiring_at(expires: float) -> str:
    # Signed with a throwaway key: the dashboard reads `exp` only; the API verifies signatures.
    return jwt.encode({"sub": "ada", "exp": int(expires)}, "k" * 32, algorithm="HS256")


def test_an_expired_access_token_asks_to_sign_in_again_not_for_a_role(auth_on: Path) -> None:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = signed_in(["viewer"], token=jwt_expiring_at(time.time() - 60))
    app.run()

    assert "Your session has expired" in app.info[0].value
    assert [button.label for button in app.button] == ["Sign in again"]
    assert not app.error  # never "needs the role viewer"
    assert not app.metric


def test_only_a_jwt_past_its_exp_counts_as_expired() -> None:
    now = time.time()
    assert access_token_expired(jwt_expiring_at(now - 1), now=now)
    assert not access_token_expired(jwt_expiring_at(now + 300), now=now)
    assert not access_token_expired("opaque-random-string", now=now)
    assert not access_token_expired("not.a.jwt", now=now)
    assert not access_token_expired(None, now=now)
