"""The option matrix: every pair of option values in at least one bake, plus the defaults.

Readable IDs name each bake by its non-default values, e.g. `py3.12-apache-nodash`.
"""

from __future__ import annotations

from itertools import combinations

from allpairspy import AllPairs

from template_hooks import manifest
from tests.baking import default_answers

CHOICES = manifest.choices(manifest.load())
OPTIONS = list(CHOICES)


def _pairwise() -> list[dict[str, str]]:
    return [dict(zip(OPTIONS, row, strict=True)) for row in AllPairs([CHOICES[o] for o in OPTIONS])]


SHORT_NAMES = {
    "python_version": "py",
    "license": "lic",
    "dashboard": "dash",
    "auth_provider": "auth",
    "object_storage": "store",
    "deployment": "deploy",
    "ci_provider": "ci",
}


def bake_id(answers: dict[str, str]) -> str:
    """The options that differ from the defaults, e.g. `py=3.12,dash=none`."""
    defaults = default_answers()
    changed = [
        f"{SHORT_NAMES.get(option, option)}={answers[option]}"
        for option in OPTIONS
        if answers[option] != defaults[option]
    ]
    return ",".join(changed) or "defaults"


def combinations_to_bake() -> list[dict[str, str]]:
    defaults = {option: default_answers()[option] for option in OPTIONS}
    return [defaults] + [row for row in _pairwise() if row != defaults]


def uncovered_pairs(rows: list[dict[str, str]]) -> set[tuple[tuple[str, str], tuple[str, str]]]:
    """Pairs of (option, value) that no row holds together."""
    wanted = {
        ((a, va), (b, vb)) for a, b in combinations(OPTIONS, 2) for va in CHOICES[a] for vb in CHOICES[b]
    }
    held = {((a, row[a]), (b, row[b])) for row in rows for a, b in combinations(OPTIONS, 2)}
    return wanted - held


MATRIX = combinations_to_bake()
