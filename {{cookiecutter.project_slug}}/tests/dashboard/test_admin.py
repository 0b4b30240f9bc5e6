"""The Admin page: only for role `admin`, confirmed, with a reason, audited with the user's name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow import MlflowClient
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.package_name }}.registry.names import CHAMPION, CHAMPION_LAST_CHANGE_TAG

from tests.dashboard.backends import APP_SCRIPT, MODEL, VIEWS, build_registry, by_label, signed_in

TIMEOUT = 60


@pytest.fixture
def own_registry(auth_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    """A registry of this test's own (v1 champion, v2 challenger): the page changes it."""
    registry = build_registry(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", registry.tracking_uri)
    return MlflowClient(tracking_uri=registry.tracking_uri, registry_uri=registry.tracking_uri)


def admin_page() -> AppTest:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = signed_in(["viewer", "admin"])
    app.run()
    app.switch_page("views/admin.py").run()
    assert not app.exception, app.exception
    return app


def last_change(client: MlflowClient) -> dict[str, str]:
    tags = client.get_registered_model(MODEL).tags
    change: dict[str, str] = json.loads(tags[CHAMPION_LAST_CHANGE_TAG])
    return change


def test_an_admin_promotes_and_rolls_back_with_a_reason_recorded_under_their_name(
    own_registry: MlflowClient,
) -> None:
    app = admin_page()
    promote = by_label(app.button, "Promote")
    assert promote.disabled, "nothing happens without a reason and a confirmation"

    app.text_input[0].set_value("v2 wins on the new data").run()
    assert by_label(app.button, "Promote").disabled, "a reason alone is not a confirmation"
    by_label(app.checkbox, f"Yes, serve v2 of {MODEL}").check().run()
    by_label(app.button, "Promote").click().run()

    assert "champion is now v2 (by Ada Lovelace" in app.success[0].value
    assert own_registry.get_registered_model(MODEL).aliases[CHAMPION] == 2
    assert last_change(own_registry) | {"at": ""} == {
        "action": "promote",
        "version": "2",
        "actor": "Ada Lovelace",
        "reason": "v2 wins on the new data",
        "at": "",
    }

    app.radio[0].set_value("Roll back to the previous champion").run()
    app.text_input[0].set_value("v2 misbehaves").run()
    by_label(app.checkbox, f"Yes, roll {MODEL} back").check().run()
    by_label(app.button, "Roll back").click().run()

    assert "champion v2 → v1" in app.success[0].value
    assert own_registry.get_registered_model(MODEL).aliases[CHAMPION] == 1
    assert last_change(own_registry)["actor"] == "Ada Lovelace"


def test_for_other_roles_the_admin_page_does_not_exist(own_registry: MlflowClient) -> None:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT)
    app.user = signed_in(["viewer", "predictor"])
    app.run()

    # Not registered at all, so neither the sidebar nor the /admin URL leads to it.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/admin.py")


def test_a_non_admin_running_the_page_is_refused_before_any_control(
    own_registry: MlflowClient,
) -> None:
    # As a request crafted for the page would: its script run in the user's session.
    app = AppTest.from_file(VIEWS / "admin.py", default_timeout=TIMEOUT)
    app.user = signed_in(["viewer", "predictor"])
    app.run()

    assert "needs the role `admin`, which Ada Lovelace does not have" in app.error[0].value
    assert [button.label for button in app.button] == ["Log out"]
    assert not app.text_input
    assert own_registry.get_registered_model(MODEL).aliases[CHAMPION] == 1
