"""401/403 at the API with tokens from the real provider, tampered or crafted where it can't."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from {{ cookiecutter.package_name }}.devtokens import issue_dev_token

from tests.api_services import (
    AUDIENCE,
    CLASSIFIER,
    RunningApi,
    TinyRegistry,
    TokenFactory,
    api_settings,
    iris_records,
    running_api,
)
from tests.auth.test_verifier import hs256_with_public_key, unsigned
from tests.fixtures.services import free_port

pytestmark = pytest.mark.integration


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _provider_public_pem(issuer: str) -> bytes:
    jwk = httpx.get(f"{issuer}/jwks").json()["keys"][0]
    public = jwt.PyJWK(jwk).key
    pem: bytes = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem


def _tampered(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["realm_access"] = {"roles": ["admin", "predictor"]}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


BadToken = Callable[[TokenFactory, str, str], str]

BAD_TOKENS: dict[str, BadToken] = {
    "malformed": lambda make, good, issuer: "definitely-not-a-jwt",
    "wrong-audience": lambda make, good, issuer: make(
        "pat-predictor", ["predictor"], audience="another-client"
    ),
    # Same provider and key, reached under another host name: its `iss` differs from ours.
    "wrong-issuer": lambda make, good, issuer: issue_dev_token(
        issuer=issuer.replace("127.0.0.1", "localhost"),
        sub="pat-predictor",
        roles=["predictor"],
        roles_claim="realm_access.roles",
    ),
    "bad-signature": lambda make, good, issuer: _tampered(good),
    "alg-none": lambda make, good, issuer: unsigned(_claims(good)),
    "hs256-with-public-key": lambda make, good, issuer: hs256_with_public_key(
        _claims(good), _provider_public_pem(issuer)
    ),
}
REASONS = {
    "malformed": "malformed token",
    "wrong-audience": "Audience doesn't match",
    # The real provider reached by another host name: the 401 names the host mismatch.
    "wrong-issuer": "differs from OIDC_ISSUER_URL",
    "bad-signature": "Signature verification failed",
    "alg-none": "algorithm 'none' is not accepted",
    "hs256-with-public-key": "algorithm 'HS256' is not accepted",
}


def test_no_token_is_401_with_bearer_challenge(api: RunningApi) -> None:
    response = api.post(f"/v1/models/{CLASSIFIER}/predict", json={"records": iris_records(1)})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "missing bearer token" in response.json()["detail"]


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_invalid_tokens_are_401_with_the_reason(
    api: RunningApi, make_token: TokenFactory, predictor_token: str, oidc_issuer: str, case: str
) -> None:
    token = BAD_TOKENS[case](make_token, predictor_token, oidc_issuer)
    response = api.post(
        f"/v1/models/{CLASSIFIER}/predict", token, json={"records": iris_records(1)}
    )
    assert response.status_code == 401, response.text
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="invalid token: ')
    assert REASONS[case] in response.json()["detail"]
    # The untampered token still works: the rejection is the flaw's doing.
    ok = api.post(
        f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": iris_records(1)}
    )
    assert ok.status_code == 200


def test_missing_role_is_403_naming_the_role(
    api: RunningApi, viewer_token: str, make_token: TokenFactory
) -> None:
    response = api.post(
        f"/v1/models/{CLASSIFIER}/predict", viewer_token, json={"records": iris_records(1)}
    )
    assert response.status_code == 403
    assert "role predictor required" in response.json()["detail"]
    nobody = make_token("nora-no-roles", [])
    assert api.get("/v1/models", nobody).status_code == 403
    assert api.get("/v1/models", viewer_token).status_code == 200


def test_health_and_metrics_need_no_token(api: RunningApi) -> None:
    assert api.get("/health/live").status_code == 200
    assert api.get("/metrics").status_code == 200


def test_unknown_kid_while_the_provider_is_down_is_503_with_a_challenge(
    tiny_registry: TinyRegistry, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens: the provider is down
    settings = api_settings(
        tracking_uri=tiny_registry.tracking_uri,
        issuer=down,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        served_models=[CLASSIFIER],
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        {"sub": "rotated", "iss": down, "aud": AUDIENCE},
        key,
        algorithm="RS256",
        headers={"kid": "a-key-the-api-has-not-seen"},
    )
    with running_api(settings, wait_ready=False) as api:
        response = api.post(
            f"/v1/models/{CLASSIFIER}/predict", token, json={"records": iris_records(1)}
        )
    assert response.status_code == 503, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Retry-After"]
    assert "retry" in response.json()["detail"]
    assert down.split("//", 1)[1] not in response.text, "the provider's address stays internal"
