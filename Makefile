# synthcheck: two set-up commands do everything on a fresh machine (see README.md).
#   make demo   installs everything and scans samples/
#   make test   installs everything, lints (ruff) and runs the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_PINS := torch==2.14.1 torchvision==0.29.1

.PHONY: demo test lint setup sysdeps bench clean samples

setup: $(STAMP) sysdeps

# Re-run whenever the dependencies or the package list change (a new test tool such as ruff, a new
# package folder), so a machine that already has a venv gets them on its next `make test`.
$(STAMP): pyproject.toml setup.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# torch first, pinned, so pip takes the build this machine holds instead of resolving another
	$(PY) -m pip install --quiet $(TORCH_PINS)
	$(PY) -m pip install --quiet -e ".[test,anatomy,cluster]"
	@touch $@

# exiftool is optional (the metadata detector has a pure-Python fallback) but reads far more fields.
sysdeps:
	@if command -v exiftool >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing exiftool (libimage-exiftool-perl) with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libimage-exiftool-perl >/dev/null) \
	    || echo "warning: could not install exiftool; the metadata detector will use its pure-Python fallback"; \
	else \
	  echo "note: exiftool not found and not root; install it with 'sudo apt-get install libimage-exiftool-perl'"; \
	  echo "      (optional: the metadata detector falls back to a pure-Python reader)"; \
	fi
	@# chromium: tests/browser checks the HTML report in a real browser (skipped without it)
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium with apt-get (for the HTML report's browser test)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: could not install chromium; the browser test will be skipped"; \
	else \
	  echo "note: chromium not found and not root; the HTML report's browser test will be skipped"; \
	fi

demo: setup
	@# exit 1 (AI evidence found) and 2 (the truncated sample is an error) are the expected outcome here
	$(VENV)/bin/synthcheck scan samples/ --exclude '*.md' --exclude '*.py' --exclude '*.pyc' --exclude '*.csv' \
	  --match-list samples/known-synthetic.csv || [ $$? -le 2 ]

# Lint first; the tests run even when lint fails, so one run reports both (and fails if either did).
test: setup
	@lint=0; $(PY) -m ruff check . || lint=$$?; \
	$(PY) -m pytest -q && exit $$lint

lint: setup
	$(PY) -m ruff check .

samples: setup
	$(PY) samples/make_samples.py

bench: setup
	$(PY) bench/scan_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
