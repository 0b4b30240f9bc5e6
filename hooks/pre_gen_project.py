"""cookiecutter: refuse invalid answers before any file is rendered."""

import json
import sys

sys.path.insert(0, {{ template_dir | tojson }})

from template_hooks.generation import check_answers, exit_on_invalid  # noqa: E402

exit_on_invalid(check_answers, json.loads(r"""{{ cookiecutter | tojson }}"""))
