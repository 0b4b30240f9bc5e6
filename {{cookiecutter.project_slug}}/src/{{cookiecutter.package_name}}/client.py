"""Typed Python client for the prediction API, for embedding the models in other applications.

from {{ cookiecutter.package_name }}.client import PredictionClient, StaticToken

with PredictionClient("http://localhost:8000", token=StaticToken(access_token)) as api:
    result = api.predict("tumor-classifier", [{"mean radius": 14.2, ...}])
    print(result.version, result.predictions)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

import httpx

# Re-exported: integrations build service-to-service clients from this module alone.
from {{ cookiecutter.package_name }}.auth.tokens import ClientCredentialsToken

__all__ = [
    "ApiError",
    "ClientCredentialsToken",
    "ModelInfo",
    "Prediction",
    "PredictionClient",
    "StaticToken",
    "TokenProvider",
]


class TokenProvider(Protocol):
    """Anything that returns a current access token."""

    def __call__(self) -> str: ...


@dataclass(frozen=True)
class StaticToken:
    """A token obtained elsewhere (e.g. the signed-in user's, forwarded by the dashboard)."""

    token: str

    def __call__(self) -> str:
        return self.token


class ApiError(Exception):
    """The API refused the request; `status_code` and `detail` say why."""

    def __init__(self, status_code: int, detail: Any) -> None:
        message = detail.get("message", detail) if isinstance(detail, dict) else detail
        super().__init__(f"HTTP {status_code}: {message}")
        self.status_code = status_code
        self.detail = detail


@dataclass(frozen=True)
class Prediction:
    request_id: str
    model: str
    version: str
    predictions: list[Any]


@dataclass(frozen=True)
class ModelInfo:
    name: str
    alias: str
    loaded: bool
    version: str | None
    metrics: dict[str, float] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    loaded_at: datetime | None = None
    error: str | None = None


class PredictionClient:
    """Calls one API instance; reuse it (it keeps connections open)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: TokenProvider | None = None,
        timeout_seconds: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._token = token
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout_seconds, transport=transport
        )

    def models(self) -> list[ModelInfo]:
        """The served models with their versions, metrics and input columns."""
        return [
            ModelInfo(
                name=item["name"],
                alias=item["alias"],
                loaded=item["loaded"],
                version=item.get("version"),
                metrics=item.get("metrics") or {},
                inputs=item.get("inputs") or [],
                loaded_at=datetime.fromisoformat(item["loaded_at"])
                if item.get("loaded_at")
                else None,
                error=item.get("error"),
            )
            for item in self._request("GET", "/v1/models")
        ]

    def predict(self, model: str, records: Sequence[Mapping[str, Any]]) -> Prediction:
        """One prediction per record, from the model's current champion version."""
        payload = self._request(
            "POST", f"/v1/models/{model}/predict", json={"records": list(records)}
        )
        return Prediction(
            request_id=payload["request_id"],
            model=payload["model"],
            version=payload["version"],
            predictions=payload["predictions"],
        )

    def reload(self, model: str) -> dict[str, Any]:
        """Reload `model`'s champion now instead of at the next poll (role `admin`)."""
        payload: dict[str, Any] = self._request("POST", f"/v1/models/{model}/reload")
        return payload

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self._token()}"} if self._token else {}
        response = self._http.request(method, path, headers=headers, **kwargs)
        if response.is_error:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ApiError(response.status_code, detail)
        return response.json()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PredictionClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
