"""Token verification: a negative matrix of crafted tokens, each otherwise valid.

Claim-level cases (expired, not yet valid, wrong issuer/audience...) need tokens signed by the
issuer's key, so they use a small issuer of our own served over real HTTP (discovery + JWKS);
a valid token from it is accepted, which shows each rejection is due to the one flaw it has.
The real provider (oidc-provider-mock) covers expiry of its own tokens and key discovery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from {{ cookiecutter.package_name }}.auth import (
    IdentityProviderUnavailableError,
    InvalidTokenError,
    TokenVerifier,
)
from {{ cookiecutter.package_name }}.devtokens import issue_dev_token

from tests.api_services import AUDIENCE, oidc_provider_process
from tests.loopback_http import JsonHandler, serve

ROLES_CLAIM = "realm_access.roles"
# Not the issuer's: signatures made with it must fail.
OTHER_KEY = rsa.generate_private_key(65537, 2048)


class LocalIssuer:
    """Serves `/.well-known/openid-configuration` and `/jwks` for keys it holds; signs tokens."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {"key-1": rsa.generate_private_key(65537, 2048)}
        self.jwks_requests = 0
        issuer = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body: dict[str, Any] = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks"}
                elif self.path == "/jwks":
                    issuer.jwks_requests += 1
                    body = {"keys": [issuer.public_jwk(kid) for kid in issuer.keys]}
                else:
                    self.send_error(404)
                    return
                self.send_json(200, body)

        self.server, self.url = serve(Handler)

    def public_jwk(self, kid: str) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[kid].public_key())
        )
        return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}

    def public_pem(self, kid: str = "key-1") -> bytes:
        return (
            self.keys[kid]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "alice",
            "iat": now,
            "exp": now + 300,
            "realm_access": {"roles": ["predictor"]},
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any], *, kid: str = "key-1", key: Any = None) -> str:
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def hs256_with_public_key(claims: dict[str, Any], pem: bytes) -> str:
    """The key-confusion attack: HMAC keyed with the issuer's public key, which anyone has."""
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "key-1"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    local = LocalIssuer()
    yield local
    local.server.shutdown()


@pytest.fixture
def verifier(issuer: LocalIssuer) -> TokenVerifier:
    return TokenVerifier(
        issuer_url=issuer.url, audience=AUDIENCE, roles_claim=ROLES_CLAIM, min_refresh_seconds=0
    )


def test_a_valid_token_is_accepted_with_its_roles(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    user = verifier.verify(issuer.sign(issuer.claims()))
    assert user.sub == "alice"
    assert user.roles == {"predictor"}


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda i: i.sign(i.claims(exp=int(time.time()) - 10)), "expired"),
        (lambda i: i.sign(i.claims(nbf=int(time.time()) + 600)), "not yet valid"),
        (lambda i: i.sign(i.claims(iss="https://evil.example")), "is not OIDC_ISSUER_URL"),
        (
            lambda i: i.sign(i.claims(iss=i.url.replace("127.0.0.1", "localhost"))),
            "differs from OIDC_ISSUER_URL .* only by host name",
        ),
        (lambda i: i.sign(i.claims(aud="another-api")), "Audience doesn't match"),
        (lambda i: i.sign(i.claims(exp=None)), 'missing the "exp" claim'),
        (lambda i: i.sign(i.claims(sub=None)), 'missing the "sub" claim'),
        (lambda i: i.sign(i.claims(), key=OTHER_KEY), "Signature verification failed"),
        (lambda i: unsigned(i.claims()), "algorithm 'none' is not accepted"),
        (
            lambda i: hs256_with_public_key(i.claims(), i.public_pem()),
            "algorithm 'HS256' is not accepted",
        ),
        (lambda i: "not.a.jwt", "malformed token"),
        (
            lambda i: i.sign(i.claims(), kid="unknown-key", key=OTHER_KEY),
            "no key with id 'unknown-key'",
        ),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "issuer-host-only",
        "wrong-audience",
        "no-exp",
        "no-sub",
        "bad-signature",
        "alg-none",
        "hs256-with-public-key",
        "malformed",
        "unknown-kid",
    ],
)
def test_flawed_tokens_are_rejected_naming_the_flaw(
    issuer: LocalIssuer, verifier: TokenVerifier, make: Any, reason: str
) -> None:
    with pytest.raises(InvalidTokenError, match=reason):
        verifier.verify(make(issuer))


def test_keys_are_cached_and_refetched_on_an_unknown_key_id(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    verifier.verify(issuer.sign(issuer.claims()))
    verifier.verify(issuer.sign(issuer.claims(sub="bob")))
    fetched = issuer.jwks_requests
    issuer.keys["key-2"] = rsa.generate_private_key(65537, 2048)  # the issuer rotates its keys
    user = verifier.verify(issuer.sign(issuer.claims(sub="carol"), kid="key-2"))
    assert user.sub == "carol"
    assert issuer.jwks_requests == fetched + 1


def test_an_unreachable_issuer_is_reported_as_unavailable_not_as_a_bad_token() -> None:
    verifier = TokenVerifier(
        issuer_url="http://127.0.0.1:9", audience=AUDIENCE, roles_claim=ROLES_CLAIM
    )
    with pytest.raises(IdentityProviderUnavailableError, match="cannot fetch signing keys"):
        verifier.verify(
            jwt.encode({"sub": "x"}, rsa.generate_private_key(65537, 2048), algorithm="RS256")
        )


@pytest.mark.integration
def test_real_provider_tokens_verify_and_expire() -> None:
    # Long enough to verify once even on a loaded machine, short enough to wait out.
    with oidc_provider_process("--token-max-age", "8") as provider:
        token = issue_dev_token(
            issuer=provider, sub="eve", roles=["admin"], roles_claim=ROLES_CLAIM
        )
        verifier = TokenVerifier(issuer_url=provider, audience=AUDIENCE, roles_claim=ROLES_CLAIM)
        assert verifier.verify(token).roles == {"admin"}
        time.sleep(9)
        with pytest.raises(InvalidTokenError, match="expired"):
            verifier.verify(token)
