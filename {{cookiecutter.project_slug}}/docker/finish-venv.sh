#!/bin/sh
# Completes a build stage's .venv: the project's wheel, then only what runs. Bytecode is compiled
# here (the runtime sets PYTHONDONTWRITEBYTECODE) once every file is written: Poetry's parallel
# --compile can cache a module that mlflow-skinny's copy of it was rewriting at that moment.
set -eu
.venv/bin/python -m pip install --quiet --no-deps dist/*.whl
# The test suites inside the scientific wheels (about 200 MB) are never imported at run time.
for package in .venv/lib/python*/site-packages/numpy .venv/lib/python*/site-packages/scipy \
    .venv/lib/python*/site-packages/pandas .venv/lib/python*/site-packages/sklearn \
    .venv/lib/python*/site-packages/pyarrow; do
    if [ -d "${package}" ]; then
        find "${package}" -type d -name tests -prune -exec rm -rf {} +
    fi
done
# Symbol tables of compiled extensions (about 36 MB of the API's image); the libraries that
# wheels vendor in *.libs/ are left as auditwheel wrote them.
find .venv/lib -type f \( -name '*.so' -o -name '*.so.*' \) -not -path '*.libs/*' \
    -exec strip --strip-unneeded {} +
# Installers have no job in a running container.
.venv/bin/python -m pip uninstall --quiet --yes pip setuptools wheel
.venv/bin/python -m compileall -q -j 0 .venv/lib
