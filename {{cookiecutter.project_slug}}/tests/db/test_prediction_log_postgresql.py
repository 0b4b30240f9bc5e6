"""The prediction log on real PostgreSQL (the machine's initdb/pg_ctl, see tests/fixtures)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.db.models import PredictionLog

from tests.api_services import CLASSIFIER, TinyRegistry, api_settings, iris_records, running_api
from tests.fixtures.services import PostgresServer

pytestmark = pytest.mark.integration


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh database on the session's PostgreSQL server."""
    return postgres_server.create_database(f"prediction_log_{uuid.uuid4().hex[:8]}")


def test_n_concurrent_predictions_leave_exactly_n_rows(
    tiny_registry: TinyRegistry, oidc_issuer: str, predictor_token: str, postgres_url: str
) -> None:
    requests = 60
    settings = api_settings(
        tracking_uri=tiny_registry.tracking_uri,
        issuer=oidc_issuer,
        database_url=postgres_url,
        served_models=[CLASSIFIER],
        prediction_log_batch_size=7,  # several batches, one partial
    )
    with running_api(settings) as api, httpx.Client(timeout=30) as http:

        def call(number: int) -> dict[str, Any]:
            response = http.post(
                f"{api.url}/v1/models/{CLASSIFIER}/predict",
                headers={"Authorization": f"Bearer {predictor_token}"},
                json={"records": iris_records(1 + number % 3)},
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(call, range(requests)))
    # Leaving `running_api` shut the app down, which flushes the writer.
    engine = create_engine(postgres_url)
    with Session(engine) as session:
        rows = session.scalars(select(PredictionLog)).all()
    engine.dispose()
    assert len(rows) == requests
    by_request = {row.request_id: row for row in rows}
    assert set(by_request) == {answer["request_id"] for answer in answers}
    sample = by_request[answers[5]["request_id"]]
    assert sample.model_name == CLASSIFIER
    assert sample.model_version == "1"
    assert sample.caller_sub == "pat-predictor"
    assert sample.outputs == answers[5]["predictions"]
    sent = iris_records(1 + 5 % 3)
    assert sample.inputs == {name: [record[name] for record in sent] for name in sent[0]}
    assert sample.latency_ms > 0
