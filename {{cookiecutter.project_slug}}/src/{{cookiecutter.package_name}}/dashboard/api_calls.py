"""Calls from the dashboard to the prediction API, made with the signed-in user's access token."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

TIMEOUT_SECONDS = 15.0


class PredictionError(Exception):
    """The API refused or could not answer; the message says why and what to do."""


def request_prediction(
    *,
    api_url: str,
    model: str,
    records: Sequence[Mapping[str, Any]],
    access_token: str | None,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """POST the records to `/v1/models/{model}/predict` and return the API's JSON answer."""
    url = f"{api_url.rstrip('/')}/v1/models/{quote(model, safe='')}/predict"
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, transport=transport) as client:
            response = client.post(url, json={"records": list(records)}, headers=headers)
    except httpx.HTTPError as error:
        raise PredictionError(
            f"the API at {api_url} did not answer ({error.__class__.__name__}: {error}). "
            "Check API_URL and that `serve` is running."
        ) from None
    if response.status_code == 401:
        raise PredictionError(
            "the API did not accept your sign-in (401): log out and log in again."
        )
    if response.status_code == 403:
        raise PredictionError(
            "your account lacks the `predictor` role (403): ask an admin to grant it."
        )
    if response.status_code >= 400:
        raise PredictionError(f"the API answered {response.status_code}: {_detail(response)}")
    try:
        answer: dict[str, Any] = response.json()
    except ValueError:
        raise PredictionError("the API answered with something that is not JSON.") from None
    return answer


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):
        # FastAPI validation errors: name each field and its problem.
        return "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg')}"
            if isinstance(item, dict)
            else str(item)
            for item in detail
        )
    return str(detail)
