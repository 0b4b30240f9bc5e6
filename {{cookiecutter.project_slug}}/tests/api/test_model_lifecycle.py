"""Hot swap under load, and a registry that is down at start-up or goes away later."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.api_services import (
    CLASSIFIER,
    NetworkSwitch,
    TinyRegistry,
    api_settings,
    iris_records,
    running_api,
    wait_until,
)

pytestmark = pytest.mark.integration

SWAP_MODEL = "swap-classifier"
UNTRAINED_MODEL = "untrained-classifier"


def test_promoting_a_new_version_while_requests_run_fails_none(
    tiny_registry: TinyRegistry, oidc_issuer: str, predictor_token: str, tmp_path: Path
) -> None:
    tiny_registry.register(SWAP_MODEL, strength=1.0)
    settings = api_settings(
        tracking_uri=tiny_registry.tracking_uri,
        issuer=oidc_issuer,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        served_models=[SWAP_MODEL],
        model_poll_seconds=0.2,
    )
    statuses: Counter[int] = Counter()
    versions: list[str] = []
    stop = threading.Event()
    body = {"records": iris_records(20)}

    def hammer() -> None:
        with httpx.Client(
            headers={"Authorization": f"Bearer {predictor_token}"}, timeout=30
        ) as http:
            while not stop.is_set():
                response = http.post(f"{api.url}/v1/models/{SWAP_MODEL}/predict", json=body)
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    versions.append(response.json()["version"])

    with running_api(settings) as api:
        workers = [threading.Thread(target=hammer) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(0.5)
        new_version = tiny_registry.register(SWAP_MODEL, strength=0.05)  # moves `champion`
        wait_until(lambda: versions[-1:] == [new_version], timeout=30, what="the swap")
        time.sleep(0.3)
        stop.set()
        for worker in workers:
            worker.join()
    assert set(statuses) == {200}, statuses
    assert versions[0] == "1"
    assert versions[-1] == new_version
    assert set(versions) == {"1", new_version}


def test_registry_down_at_start_is_not_ready_then_recovers_and_later_outage_keeps_serving(
    tiny_registry: TinyRegistry,
    oidc_issuer: str,
    predictor_token: str,
    admin_token: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")  # a cut connection fails fast
    server_port = int(tiny_registry.wait_for_server().rsplit(":", 1)[1])
    switch = NetworkSwitch(server_port)  # starts cut: the registry is unreachable
    settings = api_settings(
        tracking_uri=switch.url,
        issuer=oidc_issuer,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        served_models=[CLASSIFIER],
        model_poll_seconds=0.5,
    )
    predict = f"/v1/models/{CLASSIFIER}/predict"
    body = {"records": iris_records(2)}
    with running_api(settings, wait_ready=False) as api:
        wait_until(
            lambda: api.get("/health/ready").json()["registry"]["error"] is not None,
            timeout=20,
            what="check",
        )
        ready = api.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["models"][CLASSIFIER]["loaded"] is False
        assert "registry unreachable" in ready.json()["models"][CLASSIFIER]["error"]
        assert api.get("/health/live").status_code == 200
        not_loaded = api.post(predict, predictor_token, json=body)
        assert not_loaded.status_code == 503
        assert "not loaded yet" in not_loaded.json()["detail"]
        internal = switch.url.split("//", 1)[1]
        assert internal not in not_loaded.text, "answers never show the registry's address"

        switch.connect()
        wait_until(lambda: api.get("/health/ready").status_code == 200, timeout=30, what="recovery")
        assert api.post(predict, predictor_token, json=body).status_code == 200

        switch.cut()
        wait_until(
            lambda: api.get("/health/ready").json()["registry"]["reachable"] is False,
            timeout=20,
            what="outage",
        )
        ready = api.get("/health/ready")
        assert ready.status_code == 200  # the loaded model still serves
        assert ready.json()["registry"]["error"]
        assert api.post(predict, predictor_token, json=body).status_code == 200
        reload = api.post(f"/v1/models/{CLASSIFIER}/reload", admin_token)
        assert reload.status_code == 503
        assert "registry is unreachable" in reload.json()["detail"]
        assert internal not in reload.text
        assert api.post(predict, predictor_token, json=body).status_code == 200


def test_a_model_without_a_champion_leaves_the_api_ready_but_degraded(
    tiny_registry: TinyRegistry, oidc_issuer: str, predictor_token: str, tmp_path: Path
) -> None:
    # A fresh install: the pipeline has not trained UNTRAINED_MODEL yet. Kubernetes must still
    # route traffic to the pod (the other model serves), and the missing one says why.
    tiny_registry.register(SWAP_MODEL, strength=1.0)
    settings = api_settings(
        tracking_uri=tiny_registry.tracking_uri,
        issuer=oidc_issuer,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        served_models=[SWAP_MODEL, UNTRAINED_MODEL],
    )
    with running_api(settings) as api:
        ready = api.get("/health/ready")
        assert ready.status_code == 200, ready.text
        report = ready.json()
        assert report["degraded"] is True
        assert report["models"][SWAP_MODEL]["loaded"] is True
        assert report["models"][UNTRAINED_MODEL]["champion"] is False
        body = {"records": iris_records(1)}
        served = api.post(f"/v1/models/{SWAP_MODEL}/predict", predictor_token, json=body)
        assert served.status_code == 200, served.text
        missing = api.post(f"/v1/models/{UNTRAINED_MODEL}/predict", predictor_token, json=body)
        assert missing.status_code == 503
        assert "no `champion` version" in missing.json()["detail"]
