# smartops: two commands. `make run` sets up and starts the embedded stack;
# `make test` sets up and runs every check (lint, types, unit and integration tests).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3.11
VENV        := .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip
PORT        ?= 8000
# What `make run` indexes before READY (folders, space-separated): the project's own docs
# unless SMARTOPS_KNOWLEDGE_PATHS is set; e.g. `make run KNOWLEDGE="docs ../shared/corpus"`.
ifeq ($(SMARTOPS_KNOWLEDGE_PATHS),)
KNOWLEDGE   ?= docs
endif
TORCH       := torch==2.13.0
LLAMA       := llama-cpp-python==0.3.36
WEBUI_VENV  := .venv-webui
WEBUI_PORT  ?= 8080
OPEN_WEBUI  := open-webui==0.12.4
WHEELS      ?= $(HOME)/.cache/smartops/wheels
APT_PACKAGES := redis-server prometheus prometheus-alertmanager
# Open WebUI's browser test: Debian's Chromium and its driver, and an emoji font.
APT_PACKAGES += chromium chromium-driver fonts-noto-color-emoji
SUDO        := $(if $(filter 0,$(shell id -u)),,sudo)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup run test lint typecheck unit integration bench clean function-wheels model
.PHONY: webui webui-setup webui-test

help:
	@echo "make run    set up this machine and start the embedded stack (PORT=$(PORT))"
	@echo "            SANDBOX=demo (or a scenario folder): against the Kubernetes API simulator"
	@echo "            KNOWLEDGE=DIR... : folders indexed before READY (default: docs)"
	@echo "make test   set up and run lint, type checks and all tests"
	@echo "make bench  print the benchmark figures"
	@echo "make webui  start the embedded stack and Open WebUI (WEBUI_PORT=$(WEBUI_PORT))"

## setup: Debian packages, the virtual environment and every Python dependency.
setup: .apt.stamp $(VENV)/.stamp

.apt.stamp: Makefile
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  scripts/step "Debian packages:$$missing" bash -c "$(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing"; \
	fi
	@touch $@

# llama.cpp compiles from source (about 5 minutes on 2 cores): build its wheel once,
# keep it in $(WHEELS), and show the compiler's progress while it builds.
$(WHEELS)/.llama-0.3.36:
	@mkdir -p $(WHEELS)
	@echo "building $(LLAMA) (compiles llama.cpp once; cached in $(WHEELS))"
	@set -o pipefail; $(VENV)/bin/pip wheel --no-deps -w $(WHEELS) -v "$(LLAMA)" 2>&1 \
	  | scripts/build-progress
	@touch $@

$(VENV)/bin/python:
	@scripts/step "virtual environment $(VENV)" bash -c "$(PYTHON) -m venv $(VENV) && $(PIP) install -q --upgrade pip wheel"

$(VENV)/.stamp: $(VENV)/bin/python core/pyproject.toml tools/pyproject.toml pyproject.toml
	@# torch first and pinned: anything else would pull the CUDA build.
	@scripts/step "PyTorch $(TORCH) (CPU)" $(PIP) install -q "$(TORCH)"
	@$(MAKE) --no-print-directory $(WHEELS)/.llama-0.3.36
	@scripts/step "the project and its dependencies" $(PIP) install -q --find-links $(WHEELS) \
	  "$(TORCH)" -e "core[llm,embed,kserve,opensearch,k8s,tools,dev]"
	@scripts/step "the project's own packages" $(PIP) install -q --no-deps -e . -e tools
	@# The embedding model as ONNX int8, exported from the packaged weights (once, cached):
	@# one line, with its duration in seconds.
	@printf 'embedding model (ONNX int8, exported once, cached): '
	@$(VENV)/bin/smartops embedder
	@touch $@

run: setup
	$(VENV)/bin/smartops up --port $(PORT)$(if $(SANDBOX), --sandbox $(SANDBOX))$(foreach d,$(KNOWLEDGE), --knowledge $(d))

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every function's package is named `function`: each is checked from its own folder.
# One cache for all: the core library is checked once; each folder's own `function`
# modules differ in path and content, so mypy checks them afresh every time.
MYPY_CACHE := .mypy_cache/shared
typecheck: setup
	$(VENV)/bin/mypy --cache-dir $(MYPY_CACHE) core/src function
	@for dir in functions/*/; do \
	  echo "mypy $$dir"; \
	  (cd "$$dir" && MYPYPATH=$(CURDIR)/core/src $(CURDIR)/$(VENV)/bin/mypy \
	    --config-file $(CURDIR)/pyproject.toml \
	    --cache-dir $(CURDIR)/$(MYPY_CACHE) function) || exit 1; \
	done
	@for file in transformers/*/model.py; do \
	  echo "mypy $$file"; \
	  $(VENV)/bin/mypy --cache-dir $(MYPY_CACHE) "$$file" || exit 1; \
	done

unit: setup
	$(VENV)/bin/pytest -m "not integration"

integration: setup
	$(VENV)/bin/pytest -m integration

test: setup webui-setup lint typecheck
	$(VENV)/bin/pytest

## An optional larger embedded model, assembled from its parts and verified (not the default).
MODEL ?= qwen2.5-coder-1.5b
model: setup
	$(VENV)/bin/smartops model assemble $(MODEL)

# A function under functions/ is built from its own folder only: the core library
# reaches that build context as a wheel in functions/<name>/wheels/ (run before func build).
function-wheels: setup
	@for dir in functions/*/; do \
	  $(PIP) wheel --no-deps -q -w "$$dir/wheels" ./core && echo "core wheel -> $$dir/wheels"; \
	done

## Open WebUI in its own environment (its pinned dependencies must not meet ours):
## torch first and pinned by a constraint, so that nothing pulls the CUDA build.
$(WEBUI_VENV)/.stamp:
	@scripts/step "Open WebUI's environment $(WEBUI_VENV)" bash -c "$(PYTHON) -m venv $(WEBUI_VENV) && \
	  $(WEBUI_VENV)/bin/python -m pip install -q --upgrade pip wheel"
	@echo "$(TORCH)" > $(WEBUI_VENV)/constraints.txt
	@scripts/step "PyTorch $(TORCH) (CPU) for Open WebUI" $(WEBUI_VENV)/bin/python -m pip install -q "$(TORCH)"
	@scripts/step "$(OPEN_WEBUI) (about 3 GB)" $(WEBUI_VENV)/bin/python -m pip install -q \
	  -c $(WEBUI_VENV)/constraints.txt "$(OPEN_WEBUI)"
	@touch $@

webui-setup: setup $(WEBUI_VENV)/.stamp

webui: webui-setup
	$(VENV)/bin/smartops webui --port $(WEBUI_PORT) --gateway-port $(PORT)

webui-test: webui-setup
	$(VENV)/bin/pytest -m webui

bench: setup
	$(VENV)/bin/smartops bench gateway

clean:
	rm -rf $(VENV) $(WEBUI_VENV) .apt.stamp .smartops .pytest_cache .mypy_cache .ruff_cache
