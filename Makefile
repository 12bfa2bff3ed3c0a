# Strangler: `make demo` analyzes the bundled sample, `make test` runs every check.
# Both work on a fresh machine with python3 (and root apt for the browser/spreadsheet test tools).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE ?= samples/shop
SAMPLE_NAME := $(notdir $(SAMPLE))

.PHONY: demo test lint ui reports bench quality system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/strangler analyze $(SAMPLE) --out reports/$(SAMPLE_NAME)
	@echo "Plan for $(SAMPLE) written to reports/$(SAMPLE_NAME)/ (plan.json, plan.xlsx, report.md, report.html, services.dot/svg, template.yaml)"

# Tools the end-to-end tests drive: Debian's chromium, LibreOffice (spreadsheet opens without repair), Graphviz.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v libreoffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "Missing system packages:$$missing (install them with apt-get as root for the end-to-end tests)"; fi; \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check analyzer tests bench app.py
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(VENV)/.installed-dev system-deps lint
	$(BIN)/python -m pytest

ui: $(VENV)/.installed
	$(BIN)/streamlit run app.py

reports: $(VENV)/.installed
	$(BIN)/python -m analyzer analyze samples/shop --out reports/shop
	$(BIN)/python -m analyzer analyze samples/clinic --out reports/clinic

bench: $(VENV)/.installed-dev  ## Strangler vs pyan3 on Django and sympy from PyPI; rewrites bench/RESULTS.md (~20 min)
	$(BIN)/python bench/scan_bench.py --write-results

quality: $(VENV)/.installed-dev  ## plan quality on five real monoliths from PyPI; rewrites bench/QUALITY.md (~2 min)
	$(BIN)/python bench/quality.py --cold --write

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
