"""Sign-in gate: OIDC login through Streamlit, role `viewer` required, the user kept for the pages.

The roles come from the access token, verified the same way the API verifies it (issuer keys,
issuer, audience, expiry), so the dashboard and the API never disagree about who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from {{ cookiecutter.package_name }}.auth import IdentityProviderUnavailable, InvalidToken, Role, TokenVerifier
from {{ cookiecutter.package_name }}.config import Settings

USER_KEY = "dashboard_user"


@dataclass(frozen=True)
class DashboardUser:
    """Who is looking: display name, roles, and the token to call the API with (None: auth off)."""

    name: str
    roles: frozenset[str]
    access_token: str | None


@st.cache_resource(show_spinner=False)
def token_verifier(issuer_url: str, audience: str, roles_claim: str) -> TokenVerifier:
    # One verifier per process: it caches the issuer's keys and already-verified tokens.
    return TokenVerifier(
        issuer_url=issuer_url, audience=audience, roles_claim=roles_claim, leeway_seconds=30
    )


def require_viewer(settings: Settings) -> DashboardUser:
    """The signed-in user with role `viewer`; otherwise render the reason and stop the page."""
    if not settings.auth_enabled:
        st.warning(
            "Authentication is OFF (AUTH_ENABLED=false): whoever opens this page sees everything. "
            "Use this only for local development.",
            icon=":material/warning:",
        )
        return _keep(
            DashboardUser(name="developer (auth off)", roles=frozenset(Role), access_token=None)
        )
    if not st.user.is_logged_in:
        st.title({{ cookiecutter.project_name | tojson }})
        st.info("Sign in with your organisation account to see models, predictions and drift.")
        st.button("Log in", on_click=st.login, type="primary")
        st.stop()
    name = _display_name()
    token = st.user.tokens.get("access") if st.user.tokens else None
    if not token:
        _refuse(
            f"Signed in as {name}, but the identity provider returned no access token. "
            "Check that the dashboard client issues access tokens."
        )
    verifier = token_verifier(
        settings.oidc_issuer_url, settings.oidc_audience, settings.oidc_roles_claim
    )
    try:
        verified = verifier.verify(str(token))
    except InvalidToken as error:
        st.warning(f"Your sign-in is no longer valid ({error}). Log out, then log in again.")
        st.button("Log out", on_click=st.logout, type="primary")
        st.stop()
    except IdentityProviderUnavailable as error:
        st.error(f"Cannot check your sign-in: {error}. Try again in a moment.")
        st.stop()
    if Role.VIEWER not in verified.roles:
        _refuse(
            f"Signed in as {name}, but the dashboard needs the role `{Role.VIEWER}`. "
            "Ask an administrator to grant it, then log in again."
        )
    st.sidebar.caption(f"Signed in as **{name}**")
    st.sidebar.button("Log out", on_click=st.logout)
    return _keep(DashboardUser(name=name, roles=verified.roles, access_token=str(token)))


def current_user() -> DashboardUser:
    """The user the gate let in for this run; a page reached without the gate shows nothing."""
    user = st.session_state.get(USER_KEY)
    if not isinstance(user, DashboardUser):
        st.error("Open the dashboard from its home page to sign in.")
        st.stop()
    return user


def _keep(user: DashboardUser) -> DashboardUser:
    st.session_state[USER_KEY] = user
    return user


def _display_name() -> str:
    for claim in ("name", "preferred_username", "email", "sub"):
        value = st.user.get(claim)
        if value:
            return str(value)
    return "unknown user"


def _refuse(message: str) -> None:
    st.error(message)
    st.button("Log out", on_click=st.logout)
    st.stop()
