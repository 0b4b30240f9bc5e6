"""Cached reads for the pages: the registry and database are asked at most every few seconds."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from {{ cookiecutter.package_name }}.dashboard import prediction_log
from {{ cookiecutter.package_name }}.dashboard.registry_reader import (
    ModelInputs,
    ModelSummary,
    read_inputs,
    read_models,
    registry_client,
)

REFRESH_SECONDS = 15


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner="Reading the model registry...")
def models(tracking_uri: str, names: tuple[str, ...]) -> dict[str, ModelSummary | None]:
    """Each configured model's summary (None: not registered yet)."""
    client = registry_client(tracking_uri)
    if not names:
        # No configured list: show whatever the registry holds.
        names = tuple(model.name for model in client.search_registered_models())
    return read_models(client=client, names=names)


@st.cache_data(show_spinner="Reading the model's signature...")
def model_inputs(tracking_uri: str, name: str, version: int) -> ModelInputs:
    """A version's input schema and example; a version never changes, so this is cached for good."""
    return read_inputs(
        client=registry_client(tracking_uri), tracking_uri=tracking_uri, name=name, version=version
    )


@st.cache_resource(show_spinner=False)
def database(database_url: str) -> Engine | None:
    # One connection pool per process and URL.
    return prediction_log.open_engine(database_url)


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner="Reading the prediction log...")
def recent_predictions(database_url: str, limit: int, model: str | None) -> pd.DataFrame | None:
    """The newest logged predictions, or None when the prediction log does not exist yet."""
    return prediction_log.read_recent(engine=database(database_url), limit=limit, model=model)
