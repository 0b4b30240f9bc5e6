"""Try-a-prediction page: a form built from the served version's signature, sent to the API."""

from __future__ import annotations

from typing import Any

import streamlit as st

from {{ cookiecutter.package_name }}.auth import Role
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard import loaders
from {{ cookiecutter.package_name }}.dashboard.api_calls import PredictionError, request_prediction
from {{ cookiecutter.package_name }}.dashboard.sign_in import current_user
from {{ cookiecutter.package_name }}.registry.names import CHAMPION
from {{ cookiecutter.package_name }}.registry.reader import InputField, RegistryReadError

INTEGER_TYPES = frozenset({"long", "integer"})


def field_widget(field: InputField, default: Any) -> Any:
    """One input widget per signature column, prefilled from the model's input example."""
    if field.type in INTEGER_TYPES:
        return int(st.number_input(field.name, value=int(default or 0), step=1))
    if field.is_numeric:
        return float(st.number_input(field.name, value=float(default or 0.0), format="%.4f"))
    if field.type == "boolean":
        return bool(st.checkbox(field.name, value=bool(default)))
    return st.text_input(field.name, value="" if default is None else str(default))


settings = get_settings()
user = current_user()
st.title("Try a prediction")
st.caption(f"Sends one record to `{settings.api_url}` as **{user.name}**.")

models = loaders.models_or_stop(settings)
served = {name: model for name, model in models.items() if model and model.version_at(CHAMPION)}
if not served:
    st.info(
        "No model has a `champion` version yet, so the API has nothing to serve. Train one first."
    )
    st.stop()

name = st.selectbox("Model", list(served))
champion = served[name].version_at(CHAMPION)
assert champion is not None  # filtered above
try:
    inputs = loaders.model_inputs(settings.mlflow_tracking_uri, name, champion.version)
except RegistryReadError as error:
    st.error(str(error))
    st.stop()
if not inputs.fields:
    st.warning(
        f"{name} v{champion.version} was registered without a signature, so no form can be built."
    )
    st.stop()
may_predict = not settings.auth_enabled or Role.PREDICTOR in user.roles
if not may_predict:
    st.warning(
        f"Your account lacks the `{Role.PREDICTOR}` role, so the API will refuse predictions."
    )

example = inputs.example or {}
with st.form("predict"):
    st.markdown(f"**{name}** v{champion.version} (champion), prefilled with its input example")
    record = {field.name: field_widget(field, example.get(field.name)) for field in inputs.fields}
    submitted = st.form_submit_button("Predict", type="primary", disabled=not may_predict)

if submitted:
    try:
        answer = request_prediction(
            api_url=settings.api_url, model=name, records=[record], access_token=user.access_token
        )
    except PredictionError as error:
        st.error(f"Prediction failed: {error}")
        st.stop()
    predictions = answer.get("predictions")
    shown = (
        predictions[0] if isinstance(predictions, list) and len(predictions) == 1 else predictions
    )
    st.success(f"Prediction: **{shown}**")
    st.caption(
        f"model {answer.get('model_name', answer.get('model', name))} "
        f"version {answer.get('model_version', answer.get('version', '?'))}, "
        f"request id `{answer.get('request_id', '?')}`"
    )
    with st.expander("Full API answer"):
        st.json(answer)
