"""Before the Log in button: is the identity provider up, and does it accept this dashboard?

Streamlit's login routes turn every failure into a bare "Authentication error" or a silent return
to the start page, and a refused redirect ends on the provider's own error page. So the sign-in
page asks the provider first, with requests any OIDC provider answers the same way, and names
what to fix. No secret appears in a message.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

TIMEOUT_SECONDS = 5.0
# A code no provider ever issued: the answer only says whether the client's credentials passed.
PROBE_CODE = "sign-in-check"


def sign_in_problem(
    *, issuer_url: str, client_id: str, client_secret: str, redirect_uri: str
) -> str | None:
    """Why signing in would fail now (provider down, client secret refused, redirect refused)."""
    issuer = issuer_url.rstrip("/")
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
            metadata = client.get(f"{issuer}/.well-known/openid-configuration")
            if metadata.status_code != httpx.codes.OK:
                return (
                    f"The sign-in service at {issuer} has no OpenID configuration (HTTP "
                    f"{metadata.status_code}): check OIDC_ISSUER_URL."
                )
            endpoints = metadata.json()
            # The provider authenticates the client before it looks at the code.
            exchange = client.post(
                endpoints["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": PROBE_CODE,
                    "redirect_uri": redirect_uri,
                },
                auth=(client_id, client_secret),
            )
            if exchange.status_code == httpx.codes.UNAUTHORIZED:
                return (
                    f"The sign-in service does not accept the dashboard's client `{client_id}` "
                    "with its secret (HTTP 401). Set OIDC_CLIENT_SECRET to that client's secret "
                    "at the provider, then restart the dashboard."
                )
            # A valid authorization request redirects (to a login form or back to us);
            # an unregistered redirect_uri is refused on the provider's own error page.
            authorize = client.get(
                endpoints["authorization_endpoint"],
                params={
                    "client_id": client_id,
                    "redirect_uri": redirect_uri,
                    "response_type": "code",
                    "scope": "openid",
                    "state": PROBE_CODE,
                },
            )
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return (
            f"The sign-in service at {issuer} is not answering ({type(error).__name__}). "
            "Check that it is running and that OIDC_ISSUER_URL points at it, then retry."
        )
    if authorize.status_code == httpx.codes.BAD_REQUEST:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(redirect_uri))
        return (
            f"The sign-in service refuses {redirect_uri} as the dashboard's address (HTTP 400). "
            "Set DASHBOARD_URL to the address users open, and allow "
            f"{origin}/* as a redirect URI of client `{client_id}` (the generated realm "
            "takes it from DASHBOARD_URL when it is imported)."
        )
    return None
