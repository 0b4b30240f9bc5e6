"""Registry errors a user can cause and fix; the CLI prints them without a traceback."""

from __future__ import annotations


class RegistryError(Exception):
    """The model registry refused an operation; the message says why and what to do."""


class RegistryUnreachableError(RegistryError):
    """The tracking server or database behind MLFLOW_TRACKING_URI cannot be reached."""


class ChampionNotFoundError(RegistryError):
    """The model has no version with alias `champion` yet."""
