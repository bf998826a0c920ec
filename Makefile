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
# The lab's server, terminals and kernels run with the course's scripts first on PATH, and read
# the mode's configuration (jupyter/student or jupyter/instructor) before the user's own.
LAB_ENV = PATH="$(abspath $(VENV))/bin:$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/$(1)"

.PHONY: lab instructor test test-fast install system-deps benchmark gpu-check clean-venv lint

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[tf,dev,cluster]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cs231n)" >/dev/null
	@touch $(STAMP)

# Optional system programs: bubblewrap (grading sandbox) and graphviz (graph pictures).
# Installed with apt-get when we are root on Debian/Ubuntu; otherwise the course still
# works and says which protection or picture is missing.
system-deps:
	@sh scripts/system-deps.sh

# Students: JupyterLab on notebooks/, with Validate; nbgrader's instructor tools hidden.
lab: install system-deps
	$(call LAB_ENV,student) $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

# Instructors: JupyterLab on the course directory instructor/ (gitignored but for its
# nbgrader_config.py): Formgrader with the assignment "notebooks", gradebook and exchange there.
instructor: install system-deps
	$(PY) -c "from autograder.course import prepare_instructor_course; prepare_instructor_course()"
	cd instructor && $(call LAB_ENV,instructor) "$(abspath $(VENV))/bin/jupyter" lab --notebook-dir=. $(ROOT_FLAG) $(LAB_ARGS)

# Tests marked `isolated` run alone after the parallel run. Exit 5 (no test selected, e.g. by
# PYTEST_ARGS="-k ...") is not a failure; any other failure stops make.
test: install system-deps
	$(PY) -m pytest -n auto -m "not isolated" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -m isolated $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The contributors' quick lane: everything not marked slow (no kernels, no training).
test-fast: install
	$(PY) -m pytest -n auto -m "not slow" $(PYTEST_ARGS)

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
