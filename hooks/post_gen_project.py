"""cookiecutter: prune files of options not chosen and write `.env` with generated secrets."""

import json
import sys
from pathlib import Path

sys.path.insert(0, {{ template_dir | tojson }})

from template_hooks.generation import finish_project  # noqa: E402

finish_project(Path.cwd(), json.loads(r"""{{ cookiecutter | tojson }}"""))
