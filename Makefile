# cookiecutter-ai-solution: `make demo` generates and runs a project, `make test` proves the template.
# Needs only Python 3.11+, git and make; everything else is bootstrapped into .tools/ and .venv/.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
POETRY_VERSION := 2.5.1
TOOLS := $(CURDIR)/.tools
# Only poetry (and helm) are put on PATH: the generated projects pick their own Python.
TOOLS_BIN := $(TOOLS)/bin
POETRY := $(TOOLS_BIN)/poetry
VENV := $(CURDIR)/.venv
export PATH := $(TOOLS_BIN):$(PATH)
export POETRY_VIRTUALENVS_IN_PROJECT := true
export POETRY_NO_INTERACTION := 1
DEMO_DIR := $(CURDIR)/build/demo
PYTEST_ARGS ?=
# The template's own Python (the generated project and the Jinja hooks have their own checks).
PY_DIRS := template_hooks tests scripts benchmarks

.PHONY: help bootstrap bootstrap-ci browser demo test test-sso test-stack test-k8s test-fast lint typecheck docs lock lock-generated bench clean \
	infra-docker infra-images infra-k8s

help: ## List every target with one line each
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(POETRY):
	$(PYTHON) -m venv $(TOOLS)/poetry-venv
	$(TOOLS)/poetry-venv/bin/pip install --quiet --disable-pip-version-check poetry==$(POETRY_VERSION)
	mkdir -p $(TOOLS_BIN) && ln -sf $(TOOLS)/poetry-venv/bin/poetry $(POETRY)

$(VENV)/.installed: pyproject.toml poetry.lock | $(POETRY)
	@echo "Installing the template's tools into .venv (Poetry $(POETRY_VERSION), cookiecutter, copier, pytest...)"
	@# Bytecode at install: imports stay fast where PYTHONDONTWRITEBYTECODE is set (CI images).
	$(POETRY) sync --no-root --compile --quiet
	touch $@

bootstrap: $(VENV)/.installed ## Install Poetry and the template's Python tools (all `make demo` needs)

bootstrap-ci: bootstrap browser ## Also the test-only tools: helm and actionlint (built with Go), checkov (pinned venv), Chromium (apt)
	ln -sf "$$(bash scripts/install_helm.sh)" $(TOOLS_BIN)/helm
	ln -sf "$$(bash scripts/install_actionlint.sh)" $(TOOLS_BIN)/actionlint
	ln -sf "$$(bash scripts/install_checkov.sh)" $(TOOLS_BIN)/checkov

browser: ## Install Debian's Chromium for the dashboard's browser test (needs root and apt-get)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "note: no chromium; the generated dashboard's browser test will be skipped"

demo: bootstrap ## Generate a project with default answers into build/demo and run its demo
	rm -rf $(DEMO_DIR)
	$(VENV)/bin/cookiecutter --no-input . -o $(DEMO_DIR)
	@# The template's Poetry (same pinned version) saves the project bootstrapping its own.
	$(MAKE) -C $(DEMO_DIR)/my-ai-solution install POETRY=$(POETRY)
	$(MAKE) -C $(DEMO_DIR)/my-ai-solution demo POETRY=$(POETRY)

test: bootstrap-ci ## Run the whole template test suite (bakes, engines, hooks, installs generated projects)
	$(VENV)/bin/pytest -n 2 --dist loadgroup -m "not install" $(PYTEST_ARGS)
	@# Generated projects start real services in their tests: one at a time, on an unloaded machine.
	$(VENV)/bin/pytest -m install $(PYTEST_ARGS)

test-sso: bootstrap-ci ## Run only the single sign-on test against a real Keycloak (cached in ~/.cache)
	$(VENV)/bin/pytest -m sso $(PYTEST_ARGS)

test-stack: bootstrap-ci ## Run only the Compose stack tests on a real Docker engine (root and apt; cached in ~/.cache)
	$(VENV)/bin/pytest -m stack $(PYTEST_ARGS)

test-k8s: bootstrap-ci ## Run only the Kubernetes tests: the chart on a real API server, then on a cluster built here (root and apt; cached)
	$(VENV)/bin/pytest -m k8s $(PYTEST_ARGS)

test-fast: bootstrap-ci ## Run the template tests that do not install generated projects
	$(VENV)/bin/pytest -n 2 --dist loadgroup -m "not install" $(PYTEST_ARGS)

lint: bootstrap ## Check the template's own code style
	$(VENV)/bin/ruff check $(PY_DIRS)
	$(VENV)/bin/ruff format --check $(PY_DIRS)

typecheck: bootstrap ## Type-check the template's own code
	$(VENV)/bin/mypy

docs: bootstrap ## Regenerate docs/options.md and README's option table from the manifest
	$(VENV)/bin/python scripts/render_docs.py

lock: $(POETRY) ## Re-lock the template's own dependencies
	$(POETRY) lock

lock-generated: bootstrap ## Re-lock the generated project's dependencies (locks/, one per Python and dashboard)
	POETRY=$(POETRY) $(VENV)/bin/python scripts/lock_generated.py

bench: bootstrap ## Measure generation, generation-to-green and fresh-clone `make demo` times
	$(VENV)/bin/python benchmarks/bake.py
	$(VENV)/bin/python benchmarks/demo.py

infra-docker: ## Start Debian's Docker engine as root and build Compose v2 (cached; see tests/infra/README.md)
	bash tests/infra/docker.sh

infra-images: infra-docker ## Build or load the registry-free stand-in images (python, postgres, keycloak, minio)
	bash tests/infra/images.sh

infra-k8s: ## Build Kubernetes (k8s.io/kubernetes) and CoreDNS, install etcd, containerd and CNI from Debian (cached, 10-20 min cold)
	bash tests/infra/k8s.sh

clean: ## Remove the bootstrapped environments and build output
	rm -rf $(TOOLS) $(VENV) build .pytest_cache .mypy_cache .ruff_cache
