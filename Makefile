# The two commands of the README (demo, test) and the extras (lint, bench, pot).
# ODOO_SERIES=18.0|19.0 (default 19.0) chooses the Odoo; ODOO_SOURCE where it is built from when missing
# (see scripts/odoo-env.sh). PY is the Python that runs it, known once `setup` has run.
export ODOO_SERIES ?= 19.0
# $(shell) does not see exported variables (GNU make < 4.4): the series is passed to it.
PY = $(shell ODOO_SERIES=$(ODOO_SERIES) scripts/odoo-env.sh python)
ADDONS := recurring_interactions,recurring_invoices
# The demo's automatic payment uses Odoo's test provider.
DEMO_ADDONS := $(ADDONS),payment_demo
DEMO_DB ?= recurring_demo_$(ODOO_SERIES:.0=)
PORT ?= 8069
ODOO = $(PY) -m odoo
# 19.0 installs no demo data unless asked; 18.0 does by default and has no such option.
WITH_DEMO = $(if $(filter 18.0,$(ODOO_SERIES)),,--with-demo)

.PHONY: setup install demo test lint bench pot

setup:
	scripts/setup-env.sh

# Non-editable on purpose: Odoo finds addons by scanning odoo.addons.__path__ folders.
install: setup
	$(PY) -m pip install -q --no-deps --no-build-isolation --force-reinstall .

demo: install
	@if psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(DEMO_DB)'" | grep -q 1; then \
		$(ODOO) -d $(DEMO_DB) -u $(ADDONS) --stop-after-init --log-level=warn; \
	else \
		$(ODOO) -d $(DEMO_DB) -i $(DEMO_ADDONS) $(WITH_DEMO) --stop-after-init --log-level=warn; \
	fi
	@echo "Serving $(DEMO_DB) on http://localhost:$(PORT) (admin / admin); Ctrl-C stops."
	$(ODOO) -d $(DEMO_DB) --db-filter='^$(DEMO_DB)$$' --http-port=$(PORT) --http-interface=127.0.0.1

test: install
	scripts/run-tests.sh

lint:
	pre-commit run --all-files

pot: install
	scripts/export-pot.sh

# make bench BENCH_ARGS='--size 100 --repeat 1 --only P1,P4' (see python3 -m bench --help)
bench: install
	$(PY) -m bench $(BENCH_ARGS)
