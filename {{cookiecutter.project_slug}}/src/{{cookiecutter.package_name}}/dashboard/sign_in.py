"""Sign-in check: OIDC login through Streamlit, role `viewer` required, the user kept for the pages.

Roles are read from the ID token's claims (Authlib verified that token at login; Streamlit keeps
its claims in a signed cookie) and from the access token when it is a JWT that verifies the way
the API verifies it, so providers that put roles in either token work.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import jwt
import streamlit as st

from {{ cookiecutter.package_name }}.auth import (
    IdentityProviderUnavailableError,
    InvalidTokenError,
    Role,
    TokenVerifier,
)
from {{ cookiecutter.package_name }}.auth.roles import parse_claim_paths, roles_from_claims
from {{ cookiecutter.package_name }}.config import Settings, get_settings
from {{ cookiecutter.package_name }}.dashboard.provider_check import sign_in_problem

USER_KEY = "dashboard_user"
RENEW_MARGIN_SECONDS = 15
FRESH_SECONDS = 10
CHECK_SECONDS = 30  # how long a sign-in check's verdict is reused
TokenState = Literal["usable", "renew", "expired"]


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
        _sign_in_page(settings)
    name = _display_name()
    token = st.user.tokens.get("access") if st.user.tokens else None
    state = access_token_state(str(token) if token else None)
    if state == "renew":
        # Streamlit keeps no refresh token: a new sign-in is the refresh. It is silent while
        # the provider's own session lasts, and asks for the password only once that ended.
        st.login()
        st.stop()
    if state == "expired":
        _session_expired()
    verifier = token_verifier(
        settings.oidc_issuer_url, settings.oidc_audience, settings.oidc_roles_claim
    )
    roles, problem = signed_in_roles(
        id_claims=st.user.to_dict(),
        access_token=str(token) if token else None,
        verifier=verifier,
        roles_claim=settings.oidc_roles_claim,
    )
    if Role.VIEWER not in roles:
        _refuse(
            f"Signed in as {name}, but the dashboard needs the role `{Role.VIEWER}`"
            + (f" ({problem})" if problem else "")
            + ". Ask an administrator to grant it, then log out and log in again."
        )
    st.sidebar.caption(f"Signed in as **{name}**")
    st.sidebar.button("Log out", on_click=st.logout)
    return _keep(DashboardUser(name=name, roles=roles, access_token=str(token) if token else None))


def signed_in_roles(
    *,
    id_claims: Mapping[str, object],
    access_token: str | None,
    verifier: TokenVerifier,
    roles_claim: str,
) -> tuple[frozenset[str], str | None]:
    """Roles from the ID token's claims and a verifiable access token; why the latter added none."""
    roles = roles_from_claims(id_claims, parse_claim_paths(roles_claim))
    if not access_token:
        return roles, "the identity provider returned no access token"
    if access_token.count(".") != 2:
        # An opaque (non-JWT) access token holds no claims; only the API can judge it.
        return roles, None
    try:
        return roles | verifier.verify(access_token).roles, None
    except InvalidTokenError as error:
        # Opaque or expired access tokens are normal; the ID token's roles still count.
        return roles, f"access token not usable: {error}"
    except IdentityProviderUnavailableError as error:
        return roles, f"cannot check the access token: {error}"


def access_token_state(access_token: str | None, *, now: float | None = None) -> TokenState:
    """`renew` once a JWT access token is within RENEW_MARGIN_SECONDS of its `exp`, so no click
    carries a dead token; `expired` if it was issued moments ago yet is already dead (clocks
    disagree, and renewing would loop). Read unverified: it only decides what to show."""
    if not access_token or access_token.count(".") != 2:
        return "usable"  # none, or opaque: nothing to read
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return "usable"
    expires, issued = claims.get("exp"), claims.get("iat")
    now = time.time() if now is None else now
    if not isinstance(expires, int | float) or expires - now > RENEW_MARGIN_SECONDS:
        return "usable"
    if isinstance(issued, int | float) and now - issued < FRESH_SECONDS:
        return "expired" if expires <= now else "usable"
    return "renew"


def current_user() -> DashboardUser:
    """The user the sign-in check let in for this session; a page run on its own (a new session,
    a test) runs the check itself, so a signed-in user is never told to sign in again."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, DashboardUser):
        return user
    return require_viewer(get_settings())


def require_role(role: Role) -> DashboardUser:
    """The current user if they hold `role`; otherwise the page ends with the reason.

    Pages a role may not use are also left out of the navigation; this check stops a request
    crafted for such a page (its URL, or its widgets) before any of its code runs.
    """
    user = current_user()
    if role not in user.roles:
        st.error(f"This page needs the role `{role}`, which {user.name} does not have.")
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


def _sign_in_page(settings: Settings) -> None:
    """The Log in button, or why signing in would fail now and a Retry."""
    st.title({{ cookiecutter.project_name | tojson }})
    problem = _cached_sign_in_problem(
        settings.oidc_issuer_url,
        settings.oidc_client_id,
        f"{settings.dashboard_url.rstrip('/')}/oauth2callback",
        settings.oidc_client_secret.get_secret_value(),
    )
    if problem:
        st.error(f"Signing in is not possible right now. {problem}")
        st.button("Retry", on_click=_cached_sign_in_problem.clear, type="primary")
    else:
        st.info("Sign in with your organisation account to see models, predictions and drift.")
        st.button("Log in", on_click=st.login, type="primary")
    st.stop()


@st.cache_data(ttl=CHECK_SECONDS, show_spinner="Checking the sign-in service...")
def _cached_sign_in_problem(
    issuer_url: str, client_id: str, redirect_uri: str, _client_secret: str
) -> str | None:
    # The leading underscore keeps the secret out of the cache key.
    return sign_in_problem(
        issuer_url=issuer_url,
        client_id=client_id,
        client_secret=_client_secret,
        redirect_uri=redirect_uri,
    )


def _session_expired() -> None:
    st.title({{ cookiecutter.project_name | tojson }})
    st.info("Your session has expired. Sign in again to go on.")
    st.button("Sign in again", on_click=st.login, type="primary")
    st.stop()


def _refuse(message: str) -> None:
    st.error(message)
    st.button("Log out", on_click=st.logout)
    st.stop()
