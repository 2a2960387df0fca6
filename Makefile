# GridGIS — the two commands a new user needs:
#   make run    install what is missing, then open the app on the demo district
#   make test   install what is missing, then run the whole test suite
# Both are idempotent: a second run installs nothing.

SHELL := /bin/bash
SYSTEM_PYTHON := /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.gridgis-installed
SYSTEM_PACKAGES := python3-qgis qgis-providers fonts-noto-cjk xvfb poppler-utils python3-venv gdal-bin qgis \
	postgresql-15-postgis-3 postgresql-15-postgis-3-scripts
DEMO := data/demo.gpkg
# make run PROJECT=file.gpkg opens that file; by default your own copy of the demo.
PROJECT ?=
PYTEST_ARGS ?=
# make bench runs every bench/bench_*.py; BENCH=name runs bench/bench_name.py only.
BENCH ?= *

.PHONY: run test bench setup system lint typecheck demo plugin clean

run: setup
	@bash tools/run-app $(PY) $(PROJECT)

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

setup: system $(STAMP)

system:
	@bash tools/install-system-packages $(SYSTEM_PACKAGES)

$(STAMP): pyproject.toml tools/make-venv
	@bash tools/make-venv $(SYSTEM_PYTHON) $(VENV)
	@touch $(STAMP)

bench: setup
	@set -e; for script in bench/bench_$(BENCH).py; do \
	  echo "== $$script"; QT_QPA_PLATFORM=offscreen $(PY) $$script; done

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: setup
	$(VENV)/bin/mypy gridgis/core

# make plugin builds dist/gridgis_qgis-<version>.zip, the QGIS plugin with gridgis inside.
plugin: setup
	$(PY) tools/build_plugin.py --out dist

demo: setup
	$(PY) -m gridgis.cli demo --out $(DEMO) --overwrite

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
