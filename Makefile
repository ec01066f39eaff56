# kg: knowledge graphs from Danish municipal minutes.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STORE   ?= kg-store
SAMPLE  ?= examples/minutes

.PHONY: install run test bench loadtest clean

$(BIN)/kg: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/kg

install: $(BIN)/kg

# The main job on the bundled sample: build the graph into the embedded store and answer a query.
run: install
	$(BIN)/kg build $(SAMPLE) --store $(STORE)
	$(BIN)/kg validate --store $(STORE)
	$(BIN)/kg query star-funding --store $(STORE)

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench.run

# Bounded loopback load test of `kg serve`: 50 clients for 60 s on the sample store; fails on any error.
loadtest: install
	$(BIN)/kg build $(SAMPLE) --store build/loadtest-store
	$(BIN)/python -m bench.loadtest --store build/loadtest-store --clients 50 --duration 60 --json build/loadtest.json

clean:
	rm -rf $(VENV) $(STORE) build *.egg-info
