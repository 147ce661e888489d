# Two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1

# ENGINE=spark: the same pipeline on a local Spark Thrift server.
ENGINE ?= postgres

.PHONY: install install-spark browser db migrate dbt-parse docs demo stop test bench lint format clean

install: $(VENV)/.installed dbt_packages/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

# The project's local dbt package (packages/incremental_engine), linked into
# dbt_packages/ by `dbt deps`: offline, no profile needed.
dbt_packages/.installed: packages.yml $(VENV)/.installed
	$(VENV)/bin/dbt deps --quiet
	touch $@

# The second engine: pyspark, dbt-spark (PyHive) and pgJDBC, from PyPI and
# Debian; `python -m warehouse spark start` then runs the Thrift server.
install-spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: pyproject.toml dbt_packages/.installed
	$(VENV)/bin/pip install --quiet -e '.[dev,spark]'
	@if [ ! -f /usr/share/java/postgresql.jar ] || ! command -v javac >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jdk-headless libpostgresql-jdbc-java >/dev/null; \
	fi
	touch $@

# Headless Chromium for the browser tests, from Debian's packages.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

db: install
	$(PY) -m warehouse db start

migrate: install
	$(PY) -m warehouse migrate

# The dbt manifest, for Dagster; needs no database.
dbt-parse: install
	$(PY) -m warehouse dbt parse --quiet

# The dbt documentation site (lineage, exposures, semantic layer) under
# target/; its catalog reads the database, so it starts the embedded one.
docs: install
	$(PY) -m warehouse docs

# ENGINE=spark also installs what Spark needs and builds the marts there
demo: install dbt-parse $(if $(filter spark,$(ENGINE)),install-spark)
	$(PY) -m demo.stack up --engine $(ENGINE)

stop: install
	$(PY) -m demo.stack down

test: install install-spark browser dbt-parse
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint models data-tests macros lint/macros
	$(PY) -m pytest -n auto --dist loadfile

# ENGINE=spark: the same data on PostgreSQL and Spark side by side
# (BENCH_ITEMS order items, 1000000 by default)
bench: install $(if $(filter spark,$(ENGINE)),install-spark)
ifeq ($(ENGINE),spark)
	$(PY) -m benchmark.spark --items $(or $(BENCH_ITEMS),1000000)
else
	$(PY) -m benchmark.pipeline
endif

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint models data-tests macros lint/macros

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf target logs .pytest_cache .ruff_cache
