# Two entry points (see README): `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888

.PHONY: lab test lint bench lite lite-serve voila clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test,lite,voila,dev]"
	touch $(STAMP)

# Bound to localhost; with no display it prints the URL to open. Root (containers) needs --allow-root.
# Nothing else to set: installing the package enables its server extension (kernel websockets
# without Nagle's delay, margin_widgets/server.py) and its JupyterLab defaults (jupyter-config/).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(ROOT_FLAG) --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00-index.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check margin_widgets tests benchmarks scripts
	$(BIN)/ruff format --check margin_widgets tests benchmarks scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# JupyterLite: static site of the course in _output/lite/ (publish that folder, e.g. GitHub Pages)
LITE_PORT ?= 8000
lite: $(STAMP)
	$(BIN)/python scripts/build_lite.py --output-dir _output/lite

lite-serve: lite
	@echo "JupyterLite course on http://127.0.0.1:$(LITE_PORT)/lab/index.html"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _output/lite $(LITE_PORT)

# Voila: the flagship dashboard, no code visible
VOILA_PORT ?= 8866
voila: $(STAMP)
	$(BIN)/voila dashboards/margin-modes.ipynb --no-browser --Voila.ip=127.0.0.1 --port=$(VOILA_PORT)

clean:
	rm -rf $(VENV) _output build dist .pytest_cache
