# One entry point for set-up, running and every check. Needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Compiled translations (.qm, not committed) built from the Qt Linguist sources.
QM := $(patsubst %.ts,%.qm,$(wildcard resources/i18n/*.ts))

.PHONY: run test services check lint typecheck pytest bench bench-compare clean i18n screenshots test-slow

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Qt's xcb libraries come from Debian packages: installed where we are root, else named.
run: $(STAMP) $(QM)
	bash scripts/qt_runtime_deps.sh
	$(BIN)/posloyalty run --demo

test: $(STAMP) services check pytest

# Chromium and its driver, CJK fonts, PostgreSQL and Redis: installed and started where missing.
services:
	bash scripts/test_services.sh

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/python scripts/check_layers.py

# mypy strict (pyproject.toml): src, then the tests and benchmarks as pytest imports them. Every
# test directory is its own run: pytest puts a test file's directory on sys.path and imports its
# files as top-level modules, so several are named conftest. tests/sync is on every path for its
# sync_helpers.
TEST_DIRS := $(filter-out tests/support/,$(wildcard tests/*/))
typecheck: $(STAMP)
	$(BIN)/mypy
	MYPYPATH=tests/support:tests/sync $(BIN)/mypy $(wildcard tests/*.py) tests/support benchmarks
	set -e; for d in $(TEST_DIRS); do \
		MYPYPATH=tests/support:tests/sync:$$(find $$d -type d ! -name __pycache__ | paste -sd:) $(BIN)/mypy $$d; \
	done

pytest: $(STAMP) $(QM) services
	QT_QPA_PLATFORM=offscreen HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q -p no:cacheprovider

# The long proofs: 200 SIGKILL crash trials and the large sync convergence runs.
test-slow: $(STAMP) $(QM) services
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider -m slow

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(MAKE) bench-compare

# Commit ratio, identify and scan-to-repaint beside the code from before issue 15 (BENCH_BASE=rev
# for another baseline), measured alternately in one run; see benchmarks/compare.py.
bench-compare: $(STAMP)
	$(BIN)/python benchmarks/compare.py $(if $(BENCH_BASE),--base $(BENCH_BASE))

%.qm: %.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

i18n: $(STAMP)
	$(BIN)/pyside6-lupdate -no-obsolete src/posloyalty/ui/*.py ui/cashier.ui ui/payment.ui ui/customer_display.ui -ts resources/i18n/posloyalty_zh_CN.ts resources/i18n/posloyalty_es.ts
	$(BIN)/python scripts/fill_translations.py resources/i18n/translations.txt

screenshots: $(STAMP) $(QM)
	$(BIN)/python scripts/screenshots.py
	POSLOYALTY_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/hq/test_self_registration.py tests/hq/test_member_card.py -k "chromium or card"
	POSLOYALTY_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/hq/backoffice/test_office_chromium.py -k sqlite

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
