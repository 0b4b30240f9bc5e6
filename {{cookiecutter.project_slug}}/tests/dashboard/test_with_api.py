"""The whole loop with the real API: the form predicts, the API logs it, the dashboard shows it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.dashboard.backends import APP_SCRIPT, MODEL, Registry, by_label
from tests.fixtures.services import free_port, running

pytestmark = pytest.mark.integration


@pytest.fixture
def api_url(dashboard_env: Path, registry: Registry, tmp_path: Path) -> Iterator[str]:
    """`<project> serve` (auth off, dev) on the test registry, logging to the dashboard's DB."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "{{ cookiecutter.package_name }}",
        "serve",
        "--port",
        str(port),
    ]
    env = {"SERVED_MODELS": MODEL, "MODEL_POLL_SECONDS": "60"}
    ready = f"http://127.0.0.1:{port}/health/ready"
    with running(command, ready_url=ready, log=tmp_path / "api.log", env=env, cwd=tmp_path):
        yield f"http://127.0.0.1:{port}"


def test_a_prediction_from_the_form_shows_up_in_the_prediction_log(
    api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_URL", api_url)
    app = AppTest.from_file(APP_SCRIPT, default_timeout=60).run()
    app.switch_page("views/try_prediction.py").run()
    assert not app.exception, app.exception
    by_label(app.number_input, "petal_length").set_value(5.8)
    by_label(app.button, "Predict").click().run()

    assert not app.error, app.error[0].value
    assert "Prediction: **" in app.success[0].value
    request_id = app.caption[-1].value.split("`")[-2]

    # The API writes its log off the request path, in batches: wait for this request's row.
    deadline = time.monotonic() + 15
    while True:
        st.cache_data.clear()
        app.switch_page("views/predictions.py").run()
        if app.dataframe or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    log = app.dataframe[0].value
    assert log["request_id"].tolist() == [request_id]
    assert log["model_name"].tolist() == [MODEL]
    assert log["model_version"].tolist() == ["1"]  # the champion, not the newer challenger
