"""The development identity provider: `oidc-provider-mock`, issuing access tokens as Keycloak does.

Out of the box the mock's access tokens are opaque strings, which the API cannot verify. Here they
are RS256 JWTs (RFC 9068) signed with the provider's own key, published in its JWKS, for the API's
audience and with the user's claims (roles included): the API checks them exactly as it checks
Keycloak's. `GET /users/<sub>` returns a user's claims, so `dev token` can add roles to them.

Run:

    python -m {{ cookiecutter.package_name }}.dev_identity --port 9400 \\
        --audience {{ cookiecutter.project_slug }}-api --user-claims '{"sub": "alice", ...}'
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import flask
import jwt
import oidc_provider_mock

# Claims that describe the token itself: a user's stored claims never override them.
REGISTERED_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope"}
)


def access_token_generator(*, audience: str, max_age: timedelta) -> Callable[..., str]:
    """Authlib's access-token hook: a signed JWT for `audience` instead of a random string."""

    def generate(*, client: Any, grant_type: str, user: Any, scope: str) -> str:
        key = flask.g.oidc_provider_mock_storage.jwk  # the key the provider's JWKS publishes
        now = int(time.time())
        claims = {
            name: value for name, value in user.claims.items() if name not in REGISTERED_CLAIMS
        }
        claims |= {
            "iss": flask.request.host_url.rstrip("/"),  # what its discovery document says
            "sub": user.sub,
            "aud": audience,
            "azp": client.get_client_id(),
            "client_id": client.get_client_id(),
            "scope": scope,
            "iat": now,
            "exp": now + int(max_age.total_seconds()),
            "jti": uuid.uuid4().hex,
        }
        kid, pem = _signing_key(key)
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid, "typ": "at+jwt"})

    return generate


def _signing_key(key: Any) -> tuple[str, bytes]:
    """The key id its JWKS publishes and the private PEM, for either key type the mock uses."""
    if hasattr(key, "ensure_kid"):  # joserfc's key (oidc-provider-mock 0.4+, Python 3.12+)
        key.ensure_kid()  # the RFC 7638 thumbprint, as the mock's JWKS endpoint sets it
        return str(key.kid), bytes(key.as_pem(private=True))
    return str(key.as_dict()["kid"]), bytes(key.as_pem(is_private=True))  # authlib.jose (0.3)


def create_app(
    *,
    audience: str,
    users: Sequence[oidc_provider_mock.User] = (),
    token_max_age: timedelta = timedelta(hours=8),
) -> flask.Flask:
    """The mock provider's Flask app with JWT access tokens and a read-only user endpoint."""
    # Named like the mock's own app, so Flask finds the mock's templates.
    app = flask.Flask("oidc_provider_mock")
    # Read when the provider's blueprint is registered below, so it must be set first.
    app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = access_token_generator(
        audience=audience, max_age=token_max_age
    )
    oidc_provider_mock.init_app(app, user_claims=users, access_token_max_age=token_max_age)
    app.secret_key = secrets.token_bytes(16)

    @app.get("/users/<sub>")
    def user_claims(sub: str) -> flask.typing.ResponseReturnValue:
        user = flask.g.oidc_provider_mock_storage.get_user(sub)
        if user is None:
            return {"detail": f"no user {sub!r}"}, HTTPStatus.NOT_FOUND
        return dict(user.claims)

    return app


def parse_users(values: Sequence[str]) -> list[oidc_provider_mock.User]:
    """`{"sub": "alice", "name": ...}` JSON objects -> predefined users."""
    users = []
    for value in values:
        claims = json.loads(value)
        users.append(oidc_provider_mock.User(sub=claims.pop("sub"), claims=claims))
    return users


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--audience", required=True, help="`aud` of the access tokens (the API).")
    parser.add_argument("--user-claims", action="append", default=[], help="A predefined user.")
    parser.add_argument("--token-max-age", type=int, default=8 * 3600, help="Seconds tokens live.")
    args = parser.parse_args(argv)
    # Plain http on loopback, which OAuth otherwise refuses.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    app = create_app(
        audience=args.audience,
        users=parse_users(args.user_claims),
        token_max_age=timedelta(seconds=args.token_max_age),
    )
    uvicorn.run(app, interface="wsgi", host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
