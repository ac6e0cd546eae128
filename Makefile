# threadlab: `make run` launches the app, `make test` runs every test.
# Both create .venv from nothing and install the pinned versions in constraints.txt
# (the versions the snapshot baselines were made with).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ARGS ?=

.PHONY: run test lint typecheck bench clean browser other-pythons conformance

# uv (pinned in constraints.txt) installs in seconds what pip takes half a minute for; where
# it cannot be had, pip installs the same pinned versions.
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

$(STAMP): pyproject.toml setup.py constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	{ $(PIP) uv 2>/dev/null && $(BIN)/uv pip install --quiet --python $(BIN)/python \
		-c constraints.txt -e '.[test]'; } || $(PIP) -e '.[test]'
	touch $(STAMP)

# The browser test (tests/browser) drives Debian's Chromium through its ChromeDriver. When they
# are missing and this is a root shell with apt-get, install them (a fresh machine gets them);
# otherwise carry on: the test is skipped and says how to install them.
BROWSER := /usr/bin/chromium /usr/bin/chromedriver
BROWSER_PACKAGES := chromium chromium-driver
APT := DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o=Dpkg::Use-Pty=0

browser:
	@if ls $(BROWSER) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's $(BROWSER_PACKAGES) for the browser test (once)"; \
		{ $(APT) install --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1 \
		|| { $(APT) update >/dev/null 2>&1 \
		&& $(APT) install --no-install-recommends $(BROWSER_PACKAGES) >/dev/null; }; } \
		|| echo "could not install $(BROWSER_PACKAGES): the browser test will be skipped"; \
	else \
		echo "no $(BROWSER): the browser test will be skipped" \
			"(as root: apt-get install $(BROWSER_PACKAGES))"; \
	fi

run: $(STAMP)
	$(BIN)/threadlab $(ARGS)

test: $(STAMP) browser other-pythons
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory typecheck
	@# The whole suite in two pytest workers (pytest-xdist); beside it, the other Pythons'
	@# tests, each in one process, their output in test-artifacts/ and their summary after.
	@mkdir -p test-artifacts; others=""; \
	for version in $$(cat $(OTHERS)); do \
		$(VENV)-$$version/bin/python -m pytest -q -p no:xdist -m "not main_python_only" $(OTHER_TESTS) \
			> test-artifacts/python-$$version.log 2>&1 & others="$$others $$!:$$version"; \
	done; \
	echo "$(BIN)/python -m pytest -q -n 2"; \
	$(BIN)/python -m pytest -q -n 2; status=$$?; \
	for other in $$others; do \
		version=$${other#*:}; log=test-artifacts/python-$$version.log; \
		if wait $${other%%:*}; then echo "Python $$version: $$(tail -n 1 $$log)"; \
		else status=1; echo "Python $$version FAILED ($$log):"; tail -n 60 $$log; fi; \
	done; \
	exit $$status

# The engine's, conformance, explorer and some command-line tests run on every other supported
# Python this machine has (on PATH, or installed by pyenv), each in a virtual environment of
# its own; one line says which is absent. $(OTHERS) lists the versions found. Tests marked
# main_python_only (slow, and the same on every version) run on the main Python only.
SUPPORTED_PYTHONS := 3.11 3.12 3.13
MAIN_PYTHON = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# The command line's tests of programs that use the standard library (a user's own, the
# examples); its plumbing (formats, bad files, output files, a program's stdio and argv,
# trust, serve, explore's report) is the same on every Python and runs on the main one.
# (Defined first: := expands it where it is used.)
OTHER_CLI_TESTS := test_own_program.py test_examples.py
OTHER_TESTS := tests/engine tests/conformance tests/explore \
	tests/conformance_report/test_cpython_suites.py $(addprefix tests/cli/,$(OTHER_CLI_TESTS))
OTHERS := $(VENV)/other-pythons
PYENV_VERSIONS := $${PYENV_ROOT:-$$HOME/.pyenv}/versions

other-pythons: $(STAMP)
	@: > $(OTHERS); for version in $(filter-out $(MAIN_PYTHON),$(SUPPORTED_PYTHONS)); do \
		python=python$$version; \
		"$$python" -c '' >/dev/null 2>&1 \
			|| python=$$(ls -d $(PYENV_VERSIONS)/$$version.*/bin/python$$version 2>/dev/null | tail -n 1); \
		if [ -z "$$python" ] || ! "$$python" -c '' >/dev/null 2>&1; then \
			echo "Python $$version is absent: its tests are skipped (pyenv install $$version adds it)"; \
			continue; \
		fi; \
		echo "Python $$version ($$python): $(OTHER_TESTS), beside the whole suite"; \
		$(MAKE) --no-print-directory VENV=$(VENV)-$$version PYTHON=$$python \
			$(VENV)-$$version/.installed-stamp >/dev/null || exit 1; \
		echo $$version >> $(OTHERS); \
	done

# mypy names a module by its folders: it reads the checkout through a link named threadlab.
TYPECHECK := $(VENV)/typecheck
typecheck: $(STAMP)
	mkdir -p $(TYPECHECK) && ln -sfn $(CURDIR) $(TYPECHECK)/threadlab
	MYPYPATH=$(TYPECHECK) $(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(VENV)-3.* build *.egg-info

# Ratios against baselines measured in the same run (median and spread of several runs):
# the headless engine, the engine inside the app (Pilot), then the explorer against naive
# stress. A few minutes each.
bench: $(STAMP)
	$(BIN)/python bench/engine_speed.py
	$(BIN)/python bench/app_speed.py
	$(BIN)/python bench/explore_speed.py

# CPython's own test suites (lock_tests, test_queue, test_concurrent_futures' thread parts,
# test_asyncio's test_locks and test_queues), each run as a program under plain CPython and
# under threadlab, on every supported Python found: a table of passed/failed side by side, then
# the tests that differ. A report: it exits 0 whatever the counts (conformance/report.py).
conformance: $(STAMP) other-pythons
	$(BIN)/python conformance/report.py $(MAIN_PYTHON)=$(BIN)/python \
		$$(for version in $$(cat $(OTHERS)); do printf '%s=%s ' $$version $(VENV)-$$version/bin/python; done)
