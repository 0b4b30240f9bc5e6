"""Schemathesis, every check: generated inputs get documented answers and never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api_services import CLASSIFIER, REGRESSOR, RunningApi

pytestmark = pytest.mark.integration


def test_no_generated_input_causes_a_server_error(api: RunningApi, admin_token: str) -> None:
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    headers = {"Authorization": f"Bearer {admin_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        f"/v1/models/{CLASSIFIER}/predict",
        f"/v1/models/{REGRESSOR}/predict",
        "/v1/models/{name}/reload",
        "/v2/models/{name}/infer",
    }
    for operation in operations:
        # Reload re-reads the model from the registry each time: fewer examples keep this quick.
        examples = 10 if operation.path.endswith("/reload") else 40
        # A v2 envelope fits its schema whatever tensors it holds; the model's signature then
        # refuses most of them (400), so "valid bodies accepted" cannot hold there.
        excluded = (
            [schemathesis.checks.positive_data_acceptance]
            if operation.path == "/v2/models/{name}/infer"
            else []
        )

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: schemathesis.Case) -> None:
            # All of schemathesis' checks: status codes, headers and bodies as documented, valid
            # bodies accepted, invalid ones and missing auth refused.
            response = case.call_and_validate(headers=headers, excluded_checks=excluded)  # noqa: B023
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.text[:300]}"
            )

        no_server_error()
