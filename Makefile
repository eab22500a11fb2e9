# make run   — first run: .venv, requirements, keys, migrations, demo data; then sandbox :8100, API :8000, dashboard :8501
# make test  — installs what the tests need (Python and npm) and runs pytest (with a bounded schemathesis run
#              of the real API, tests/fuzz), then the mini-program's jest tests
# make bench — the benchmarks in bench/ (PostgreSQL): each figure printed against its target, exit 1 if one is missed
# make screenshots — the browser screenshot test, which also refreshes dashboard/screenshot.png (the README's picture)

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
NPM_DIR := tests/miniprogram

.PHONY: run test test-py test-js lint bench clean system-deps screenshots

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed tests/requirements.txt
	$(PY) -m pip install -q -r tests/requirements.txt
	touch $@

$(NPM_DIR)/node_modules/.installed: $(NPM_DIR)/package.json
	cd $(NPM_DIR) && npm install --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's chromium (/usr/bin/chromium) with Playwright, which cannot download a browser of
# its own here; posters and screenshots need a font with Chinese glyphs.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q . ; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "please install chromium and fonts-wqy-microhei (apt-get install chromium fonts-wqy-microhei)"; exit 1; fi; \
	fi

run: $(VENV)/.installed
	$(PY) -m backend dev

test: system-deps $(VENV)/.installed-test $(NPM_DIR)/node_modules/.installed
	$(VENV)/bin/ruff check domain backend dashboard tests bench
	$(PY) -m pytest -q
	@if [ "$$MALL_TESTS_SKIP_JEST" = 1 ]; then echo "jest: run in the other database's pass (MALL_TESTS_SKIP_JEST=1)"; \
	else cd $(NPM_DIR) && npx jest --runInBand; fi

test-py: $(VENV)/.installed-test
	$(PY) -m pytest -q

test-js: $(VENV)/.installed $(NPM_DIR)/node_modules/.installed
	cd $(NPM_DIR) && npx jest --runInBand

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check domain backend dashboard tests bench

bench: $(VENV)/.installed-test
	command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk not installed: the ceiling is measured with the Python client")
	$(PY) -m bench

# Test screenshots go to tests/_artifacts/screenshots/ (ignored); only this target rewrites the tracked picture.
screenshots: system-deps $(VENV)/.installed-test
	MALL_REFRESH_README_SCREENSHOT=1 $(PY) -m pytest -q tests/dashboard/test_screenshot.py

clean:
	rm -rf $(VENV) $(NPM_DIR)/node_modules tests/_artifacts
