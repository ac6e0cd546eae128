# threadlab: `make run` launches the app, `make test` runs every test.
# Both create .venv from nothing and install the pinned versions in constraints.txt
# (the versions the snapshot baselines were made with).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ARGS ?=

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/threadlab $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info

# Ratios against baselines measured in the same run (median and spread of several runs):
# the headless engine, the engine inside the app (Pilot), then the explorer against naive
# stress. A few minutes each.
bench: $(STAMP)
	$(BIN)/python bench/engine_speed.py
	$(BIN)/python bench/app_speed.py
	$(BIN)/python bench/explore_speed.py
