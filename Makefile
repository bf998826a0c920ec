# Two commands do all the set-up (see README.md):
#   make lab    create .venv/, install the course, open JupyterLab on notebooks/
#   make test   create .venv/, install the course, run the whole test suite
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.cs231n-installed
PYTEST_ARGS ?=
# benchmarks/grading.py: the issue's full class is --students 12 (about 40 min here)
GRADING_ARGS ?= --students 4
# JupyterLab refuses to start as root unless told; add your own flags with LAB_ARGS=...
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test install system-deps benchmark gpu-check clean-venv lint

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[tf,dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cs231n)" >/dev/null
	@touch $(STAMP)

# Optional system programs: bubblewrap (grading sandbox) and graphviz (graph pictures).
# Installed with apt-get when we are root on Debian/Ubuntu; otherwise the course still
# works and says which protection or picture is missing.
system-deps:
	@sh scripts/system-deps.sh

lab: install system-deps
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: install system-deps
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# On a machine with a CUDA GPU: the gpu-marked tests, then every reference notebook graded on it.
gpu-check: install system-deps
	$(PY) -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 'gpu-check: torch sees no CUDA GPU here')"
	$(PY) -m pytest -m gpu $(PYTEST_ARGS)
	$(PY) scripts/grade_references.py --device cuda

benchmark: install
	$(PY) benchmarks/notebook_times.py
	$(PY) benchmarks/grading.py $(GRADING_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean-venv:
	rm -rf $(VENV)
