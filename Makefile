# Course «Aprendizaje automático para audio».
#   make lab    open the lessons in JupyterLab
#   make test   lint, unit tests, every notebook in smoke mode, nbval (what CI runs)
# Other targets: test-solutions, test-colab, test-full, test-real, lint, bench, notebooks, lock,
# clean, distclean.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXTRAS ?= dev
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
WORKERS ?= 2
# make test-full: NOTEBOOK_SHARD=i/n picks a shard, NOTEBOOK_FILTER a pytest -k expression.
NOTEBOOK_FILTER ?=
FULL_WORKERS ?= 1

.PHONY: help venv test test-solutions test-colab test-full test-real lint bench lab notebooks lock clean distclean

help:
	@echo "make lab        JupyterLab en notebooks/ (instala el entorno .venv la primera vez)"
	@echo "make test       lint + pruebas + cada cuaderno en modo rápido (SMOKE) + nbval"
	@echo "make test-solutions cada cuaderno en modo rápido con las soluciones de referencia: todo ejercicio ✅"
	@echo "make test-colab cada cuaderno en un entorno Python 3.13 con las versiones de Colab"
	@echo "make test-full  cuadernos con datos reales y umbrales (GPU; NOTEBOOK_SHARD=i/n)"
	@echo "make test-real  lecciones 00-03, 10 (completas) y 08 (rápida) con datos reales del espejo del aula"
	@echo "make lint       ruff + convenciones de los cuadernos"
	@echo "make bench      ejecuta benchmarks/*.py"
	@echo "make notebooks  regenera insignias de Colab, celdas de preparación y la tabla del README"
	@echo "make lock       regenera constraints.txt en un entorno nuevo"
	@echo "make clean      borra build/ y cachés"

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x "$(BIN)/python" ]; then \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
	    || { echo "Se necesita Python 3.10 o más reciente (usa PYTHON=python3.x)"; exit 1; }; \
	  echo "Creando $(VENV) con $$($(PYTHON) --version)"; \
	  $(PYTHON) -m venv "$(VENV)"; \
	fi
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[$(EXTRAS)]"
	@# librosa's numba cache, filled by one process before lessons run two at a time (numba#10128)
	$(BIN)/python -c 'from pathlib import Path; from tools.colab_env import warm_numba_cache; warm_numba_cache(Path("$(VENV)"))'
	@touch "$@"

test: venv
	$(BIN)/ruff check .
	$(BIN)/python tools/sync_notebooks.py --check
	$(BIN)/python -m pytest -n $(WORKERS) -m "not full and not solutions"
	$(BIN)/python tools/run_nbval.py -n $(WORKERS)

# Every lesson in smoke mode with each exercise answered by its reference solution
# (tests/test_solutions.py): every exercise must report ✅. Copies and figures in build/solutions/.
test-solutions: venv
	$(BIN)/python -m pytest -m solutions -n $(WORKERS) tests/test_solutions.py

# Colab's own package set (constraints-colab.txt, Python 3.13; the environment is cached in
# ~/.cache/course-colab): installing course_utils must change none of Colab's packages, then every
# lesson runs in smoke mode there. COLAB_PYTHON picks the interpreter.
test-colab: venv
	$(BIN)/python tools/colab_env.py test -n $(WORKERS)

test-full: venv
	$(BIN)/python -m pytest -m full --full -n $(FULL_WORKERS) tests/test_notebooks.py \
	  $(if $(NOTEBOOK_FILTER),-k "$(NOTEBOOK_FILTER)")

# Real files of a classroom mirror ($COURSE_DATA_MIRROR, else ../shared/data beside the checkout);
# without one it says why in one line and succeeds (the mirror check exits 3).
test-real: venv
	@status=0; mirror="$$($(BIN)/python tools/notebook_harness.py mirror)" || status=$$?; \
	if [ "$$status" = 3 ]; then exit 0; elif [ "$$status" != 0 ]; then exit "$$status"; fi; \
	echo "make test-real: datos reales del espejo $$mirror"; \
	COURSE_DATA_MIRROR="$$mirror" $(BIN)/python -m pytest -m real -n $(WORKERS) tests/test_notebooks.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/python tools/notebook_lint.py
	$(BIN)/python tools/sync_notebooks.py --check

bench: venv
	@for script in benchmarks/*.py; do \
	  [ -e "$$script" ] || continue; \
	  echo "== $$script"; \
	  $(BIN)/python "$$script"; \
	done

$(VENV)/.installed-lab: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[$(EXTRAS),lab]"
	@touch "$@"

# Extra arguments for JupyterLab, e.g. LAB_ARGS="--no-browser --port 8889"; root needs --allow-root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab notebooks/ $(LAB_ARGS)

notebooks: venv
	$(BIN)/python tools/sync_notebooks.py

# Resolve pyproject's dependencies afresh and pin what gets installed.
lock:
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install -q --upgrade pip
	build/lock-venv/bin/python -m pip install -q ".[dev,lab]"
	{ \
	  echo '# Exact versions CI installs (`pip install -c constraints.txt -e ".[dev]"`, see `make venv`).'; \
	  echo '# The package itself keeps lower bounds only (pyproject.toml); this file pins what the tests ran with.'; \
	  echo '# Regenerate after changing dependencies: `make lock` (fresh venv, `pip install ".[dev,lab]"`, `pip freeze`).'; \
	  echo "# Python $$(build/lock-venv/bin/python -c 'import platform; print(platform.python_version_tuple()[0] + "." + platform.python_version_tuple()[1])'), $$(uname -s) $$(uname -m)."; \
	  build/lock-venv/bin/python -m pip freeze --exclude-editable | grep -viE '^course[-_]utils'; \
	} > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf build/lock-venv
	@echo "constraints.txt actualizado"

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf "$(VENV)"
