"""Predictions page: request volume and latency over time, then the newest logged requests."""

from __future__ import annotations

import streamlit as st

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard import charts, loaders
from {{ cookiecutter.package_name }}.dashboard.sign_in import current_user
from {{ cookiecutter.package_name }}.dashboard.urls import without_password
from {{ cookiecutter.package_name }}.db.log_reader import TABLE_NAME, PredictionLogReadError

# Interval label -> pandas frequency for the charts.
INTERVALS = {"minute": "1min", "hour": "1h", "day": "1D"}

settings = get_settings()
current_user()
database_url = settings.database_url.get_secret_value()
st.title("Predictions")
st.caption(f"App database: `{without_password(database_url)}`")

filters = st.columns(3)
model = filters[0].selectbox("Model", ["all models", *settings.served_models])
limit = filters[1].select_slider("Rows", options=[50, 100, 200, 500, 1000], value=200)
interval = filters[2].selectbox("Chart per", list(INTERVALS))
chosen = None if model == "all models" else model
try:
    log = loaders.recent_requests(database_url, limit, chosen)
    over_time = loaders.volume_and_latency(database_url, INTERVALS[interval], 5000, chosen)
except PredictionLogReadError as error:
    st.error(str(error))
    st.stop()

if log is None or over_time is None:
    st.info(
        f"No prediction log yet: the table `{TABLE_NAME}` does not exist in the app database. "
        "Create it with `{{ cookiecutter.project_slug }} db upgrade`, start the API "
        "(`{{ cookiecutter.project_slug }} serve`) and make a prediction."
    )
    st.stop()
if not log.requests:
    st.info("The prediction log is empty: no prediction has been served yet.")
    st.stop()

summary = st.columns(3)
summary[0].metric("Requests shown", log.requests)
summary[1].metric("Median latency", f"{log.median_latency_ms:.1f} ms")
summary[2].metric("Model versions", log.model_versions)
volume, latency = st.columns(2)
volume.altair_chart(charts.requests_over_time(over_time, interval))
latency.altair_chart(charts.latency_over_time(over_time, interval))
st.caption("One row per record: the request's inputs as columns, then its prediction.")
st.dataframe(log.rows, hide_index=True, width="stretch")
