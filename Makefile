# briefgen: `make demo` builds the sample brief into out/, `make test` runs the test suite.
# Both install what they need first: system packages (as root or with sudo), then .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := briefs/carney-china-2026.yaml

.PHONY: demo test lint bench bench-instructions docs translations setup system system-test clean

demo: setup
	$(BIN)/briefgen build $(SAMPLE) -o out --lang all

# The tests need more than the demo: LibreOffice, poppler, qpdf and Chromium check the outputs.
test: system-test setup lint
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

# pandoc is installed too, as the reference point the benchmarks compare against.
bench: setup
	@sh tools/install-system-packages pandoc
	$(BIN)/python bench/run.py

# Instructions executed, counted exactly under valgrind (about 15 minutes): how the work grows
# with the issues, which timings on a shared machine are too noisy to tell.
bench-instructions: setup
	@sh tools/install-system-packages valgrind
	$(BIN)/python bench/instructions.py

# Regenerate the reference documentation and the schema file from the code.
docs: setup
	$(BIN)/python -m briefgen.docs
	$(BIN)/briefgen schema > schema/brief-v1.schema.json

# Update every catalog (en, fr, zh_Hans) from the templates; new words get an empty msgstr to translate.
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -o briefgen/locale/briefgen.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i briefgen/locale/briefgen.pot -d briefgen/locale -D briefgen \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 100
	rm briefgen/locale/briefgen.pot

setup: system $(VENV)/.installed
	@# An editable install is not byte-compiled as an installed wheel is; where bytecode is not
	@# written on import (PYTHONDONTWRITEBYTECODE), every command would compile briefgen again.
	@$(BIN)/python -m compileall -q briefgen

system:
	@sh tools/install-system-packages

system-test:
	@sh tools/install-system-packages --for-tests

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf out build dist *.egg-info .pytest_cache
