"""Cached reads for the pages: the registry and database are asked at most every few seconds."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.db import log_reader
from {{ cookiecutter.package_name }}.db.engine import read_engine
from {{ cookiecutter.package_name }}.registry import reader
from {{ cookiecutter.package_name }}.registry.reader import (
    ModelInputs,
    ModelSummary,
    RegistryReadError,
)

REFRESH_SECONDS = 15


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner="Reading the model registry...")
def models(tracking_uri: str, names: tuple[str, ...]) -> dict[str, ModelSummary | None]:
    """Each configured model's summary (None: not registered yet)."""
    client = reader.registry_client(tracking_uri)
    # No configured list: show whatever the registry holds.
    return reader.read_models(client=client, names=names or reader.registered_model_names(client))


def models_or_stop(settings: Settings) -> dict[str, ModelSummary | None]:
    """The configured models' summaries; an unreadable registry ends the page with the reason."""
    try:
        return models(settings.mlflow_tracking_uri, tuple(settings.served_models))
    except RegistryReadError as error:
        st.error(str(error))
        st.stop()


@st.cache_data(show_spinner="Reading the model's signature...")
def model_inputs(tracking_uri: str, name: str, version: int) -> ModelInputs:
    """A version's input schema and example; a version never changes, so this is cached for good."""
    return reader.read_inputs(
        client=reader.registry_client(tracking_uri),
        tracking_uri=tracking_uri,
        name=name,
        version=version,
    )


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner=False)
def training_files(tracking_uri: str, run_id: str | None) -> list[str]:
    """The local data files a training run logged, as text (cache keys must be hashable)."""
    client = reader.registry_client(tracking_uri)
    return [str(path) for path in reader.run_dataset_files(client=client, run_id=run_id)]


@st.cache_resource(show_spinner=False)
def database(database_url: str) -> Engine | None:
    # One connection pool per process and URL.
    return read_engine(database_url)


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner="Reading the prediction log...")
def recent_requests(
    database_url: str, limit: int, model: str | None
) -> log_reader.RecentRequests | None:
    """The newest logged requests, or None when the prediction log does not exist yet."""
    return log_reader.recent_requests(engine=database(database_url), limit=limit, model=model)


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner=False)
def volume_and_latency(
    database_url: str, interval: str, limit: int, model: str | None
) -> pd.DataFrame | None:
    """Requests and latency per interval over the newest `limit` requests."""
    return log_reader.volume_and_latency(
        engine=database(database_url), interval=interval, limit=limit, model=model
    )


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner="Reading the logged inputs...")
def recent_inputs(database_url: str, limit: int, model: str | None) -> pd.DataFrame | None:
    """The logged input records of the newest `limit` requests."""
    return log_reader.recent_inputs(engine=database(database_url), limit=limit, model=model)
