# The course's commands. `make start` and `make test` are the two a learner needs; both create .venv on
# first use and re-install only when pyproject.toml changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest
COURSE := $(BIN)/course
PROJECTS := $(sort $(notdir $(wildcard solutions/p[0-9]_*)))
GRADED := $(sort $(notdir $(wildcard tests/graded/p[0-9]_*)))
NBCHECK := .cache/nbcheck
JUPYTER_PORT ?= 8888
DOCS_PORT ?= 8000
P ?= p1
TARGET ?= projects

export MLFLOW_DISABLE_TELEMETRY := true
export DVC_NO_ANALYTICS := true
export PYTHONHASHSEED := 0

.PHONY: help start test lint lint-fix test-toolkit test-graded test-starters assign-check \
        test-notebooks docs-build test-browser docs screenshots grade assign data doctor clean mutants \
        mutants-ci lock export export-check worlds-check

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required: set PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	@touch $(STAMP)

lock: $(STAMP) ## rewrite requirements.lock from the installed environment (after a pyproject.toml change)
	@{ sed -n '1,3p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > requirements.lock.new
	@mv requirements.lock.new requirements.lock && echo "requirements.lock: $$(grep -c '==' requirements.lock) pins"

start: $(STAMP) data ## set up, check, and open JupyterLab on 127.0.0.1 at projects/
	$(COURSE) doctor
	@echo "JupyterLab starts on http://127.0.0.1:$(JUPYTER_PORT)/lab (the URL with its token is printed below)."
	$(BIN)/jupyter lab --no-browser --ip 127.0.0.1 --port $(JUPYTER_PORT) --notebook-dir projects $$( [ "$$(id -u)" = 0 ] && echo --allow-root)

data: $(STAMP) ## generate the data worlds into data/ if missing
	@test -f data/.complete || { $(COURSE) data --out data && touch data/.complete; }

doctor: $(STAMP) ## check the environment
	$(COURSE) doctor

test: $(STAMP) lint test-toolkit test-graded test-starters assign-check test-notebooks docs-build test-browser ## everything CI checks
	@echo "make test: all stages passed"

lint: $(STAMP) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-fix: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-toolkit: $(STAMP) ## tests of the course toolkit itself, except the slow ones (make test-slow)
	$(PYTEST) tests/toolkit -q -n 2 -m "not slow" || [ $$? -eq 5 ]

# Not part of `make test` (CI runs it right after): servers, whole gradings, the doctor, the site's build.
test-slow: $(STAMP) ## the toolkit tests marked slow: they start servers or grade whole submissions
	$(PYTEST) tests/toolkit -q -n 2 -m slow || [ $$? -eq 5 ]

test-graded: $(STAMP) ## graded tests on solutions/: full marks expected
	@if [ -z "$(GRADED)" ]; then echo "no graded tests yet"; else \
	  $(PYTEST) tests/graded --target solutions -q -n 2 --dist loadfile || [ $$? -eq 5 ]; fi

# In one pytest session, without the notebooks; CI also grades every starter whole (make export-check: each
# scores 0 in the learner repository) and in a learner's world (make worlds-check).
test-starters: $(STAMP) ## every graded test must fail on the untouched starter in projects/
	$(COURSE) check-starter --in-process $(GRADED)

assign-check: $(STAMP) ## projects/ is exactly what `course assign` writes from solutions/
	$(COURSE) assign --check

test-notebooks: $(STAMP) ## strict nbval: solution notebooks reproduce their stored outputs
	@rm -rf $(NBCHECK) && mkdir -p $(NBCHECK)
	@for p in $(PROJECTS); do cp -r solutions/$$p $(NBCHECK)/$$p; done
	@nbs=$$(find $(NBCHECK) -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort); \
	if [ -z "$$nbs" ]; then echo "no solution notebooks yet"; else \
	  $(PYTEST) -c tests/notebooks.ini --rootdir $(NBCHECK) --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg -n 2 --dist loadscope -q $$nbs; fi

docs-build: $(STAMP) ## build the site with --strict
	$(BIN)/mkdocs build --strict --site-dir .cache/site

test-browser: docs-build ## the built site in headless Chromium: pages, search, links, notebooks, screenshots
	$(PYTEST) tests/browser -q || [ $$? -eq 5 ]

docs: $(STAMP) ## serve the site on 127.0.0.1:$(DOCS_PORT)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

# Not part of `make test`: it trains, starts servers and drives Chromium; commit what it writes.
screenshots: $(STAMP) ## retake the site's screenshots of Swagger UI, MLflow and Evidently (docs/assets/)
	$(BIN)/python tools/screenshots.py

mutants: $(STAMP) ## every catalogued mistake loses points, every alternative keeps them (all entries)
	@for p in $(GRADED); do $(COURSE) mutants $$p || exit 1; done

# CI grades one shard of every catalogue, chosen by the commit count, so consecutive landings cover it all
# (the count also picks the rotating learner of worlds-check)
COMMITS := $(shell git rev-list --count HEAD 2>/dev/null || echo 0)
MUTANT_SHARDS ?= 6
MUTANT_SHARD ?= $(shell echo $$(( $(COMMITS) % $(MUTANT_SHARDS) )))

mutants-ci: $(STAMP) ## one shard of every catalogue (CI): MUTANT_SHARD=K of MUTANT_SHARDS=N
	@for p in $(GRADED); do $(COURSE) mutants $$p --shard $(MUTANT_SHARD)/$(MUTANT_SHARDS) || exit 1; done

grade: $(STAMP) ## grade your work in projects/: make grade P=p1 [TARGET=solutions|path]
	$(COURSE) grade $(P) --target $(TARGET)

assign: $(STAMP) ## course authors: regenerate projects/ from solutions/ (refuses to overwrite starters edited by hand)
	$(COURSE) assign

export: $(STAMP) ## course authors: write the learner repository (no solutions) to DIR: make export DIR=../learner
	@test -n "$(DIR)" || { echo "name the new folder: make export DIR=../course-learner"; exit 2; }
	$(COURSE) export $(DIR) --git

# Not part of `make test` (it installs a second .venv): CI runs it after the mutants.
export-check: $(STAMP) ## the learner repository, tried as a learner: export, clone, make test, make start
	$(BIN)/python tools/export_check.py

# Not part of `make test` (p1, p7: three gradings each; p3, p5: one, rotating): CI runs it after the export check.
worlds-check: $(STAMP) ## the solutions graded in learners' worlds (tools/worlds_check.py)
	WORLDS_CHECK_ROTATION=$${WORLDS_CHECK_ROTATION:-$(COMMITS)} $(BIN)/python tools/worlds_check.py

clean: ## remove generated files (keeps .venv)
	rm -rf .cache site grades
