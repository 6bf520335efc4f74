# Everyday commands; each uses the project's virtual environment in .venv.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup run test lint format notebooks bench sample clean

$(PY):
	python3.11 -m venv $(VENV)

setup: $(PY)  ## install the package with the test and lint tools
	$(VENV)/bin/pip install -q -e '.[dev]'

run: setup  ## the main job on sample_data/ into ./screening.duckdb
	$(VENV)/bin/screening run

test: setup  ## the test suite (what CI runs, with lint)
	$(PY) -m pytest

lint: setup  ## ruff and mypy, as CI runs them
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

notebooks: setup  ## re-pair notebooks/*.ipynb with their .py after editing either
	$(VENV)/bin/jupytext --sync notebooks/*.py

bench: setup  ## benchmarks, by hand only (minutes, GBs); never in CI
	$(VENV)/bin/pip install -q -e '.[bench]'
	$(PY) bench/generate.py

sample: setup  ## regenerate the committed sample world (byte-identical unless synth changed)
	$(VENV)/bin/screening generate --scale small --seed 20260930 --out sample_data --overwrite

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis screening.duckdb*
