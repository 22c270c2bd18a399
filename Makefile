# One venv in .venv; every target installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LINT_DIRS := bot tests $(wildcard bench)

.PHONY: install demo test lint docs bench clean

$(BIN)/migration-review: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip
	$(BIN)/pip install -qq -e ".[dev]"
	touch $@

install: $(BIN)/migration-review

demo: install
	$(BIN)/migration-review demo --format markdown

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)
	$(BIN)/mypy bot
	$(BIN)/lint-imports --no-cache

docs: install
	$(BIN)/python -m bot.render.docs docs/rules

bench: install
	$(BIN)/python bench/lint.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
