"""Errors a user can cause and fix; the CLI prints them without a traceback."""

from __future__ import annotations


class PipelineError(Exception):
    """A pipeline step refused its input; the message says what is wrong and how to fix it."""


class DataSourceError(PipelineError):
    """The raw data could not be found or read."""


class DataValidationError(PipelineError):
    """The raw data does not match the model's schema."""
