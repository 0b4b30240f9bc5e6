"""The {{ cookiecutter.project_name }} package.

Its description is in pyproject.toml and README.md.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("{{ cookiecutter.project_slug }}")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
