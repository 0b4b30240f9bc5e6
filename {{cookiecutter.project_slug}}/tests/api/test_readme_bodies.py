"""Every request body the README's curl examples send fits tumor-classifier's signature."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from {{ cookiecutter.package_name }}.api.model_loader import Column, LoadedModel
from {{ cookiecutter.package_name }}.api.open_inference import InferenceRequest, v2_table
from {{ cookiecutter.package_name }}.api.serving import ServedModel
from {{ cookiecutter.package_name }}.models.tumor_classifier import FEATURES

README = Path(__file__).parents[2] / "README.md"
# `curl -s <url>/<path> \ ... -d '<body>'`: the path and the body of each example.
CURL = re.compile(
    r"curl -s http://127\.0\.0\.1:8000(/v\d/models/tumor-classifier/\w+)[^']*'([^']*)'"
)


def _served() -> ServedModel:
    loaded = LoadedModel(
        name="tumor-classifier",
        version="1",
        run_id=None,
        predict=lambda frame: [0] * len(frame),
        columns=tuple(Column(name, "double") for name in FEATURES),
    )
    return ServedModel.build(loaded, max_batch_size=100)


def test_every_readme_body_parses_to_the_same_row() -> None:
    served = _served()
    examples = CURL.findall(README.read_text())
    assert {path.rsplit("/", 1)[1] for path, _body in examples} == {"predict", "infer"}
    rows = []
    for path, body in examples:
        if path.endswith("/infer"):
            request = InferenceRequest.model_validate_json(body)
            parsed = served.validate(v2_table(request, served))
        else:
            parsed = served.parse(body.encode())
        assert parsed.size == 1, path
        assert parsed.columns is not None
        assert list(parsed.columns) == FEATURES
        rows.append([float(np.asarray(values)[0]) for values in parsed.columns.values()])
    assert len(examples) >= 3
    assert all(row == rows[0] for row in rows), rows
