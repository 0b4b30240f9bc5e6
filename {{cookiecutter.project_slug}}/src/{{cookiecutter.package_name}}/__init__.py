"""The package of {{ cookiecutter.project_name }}."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("{{ cookiecutter.project_slug }}")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
