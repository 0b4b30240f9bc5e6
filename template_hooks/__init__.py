"""Generation logic shared by the cookiecutter hooks and the copier task."""
