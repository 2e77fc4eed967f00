# The two commands the README leads with: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run run-cluster test services lint translations translations-update system-deps clean bench-judging \
        bench-live \
        simulate

# gevent serves every socket from one thread: more marks/s and a far lower p99 than
# threads (bench/README.md). The tests run the default, threading, as well.
ASYNC_MODE ?= gevent

run: $(VENV)/.runtime translations  ## set up, migrate, seed the demo, serve on SQLite
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	SOCKETIO_ASYNC_MODE=$(ASYNC_MODE) $(BIN)/flask serve --port $(PORT)

# In a second terminal while `make run` serves: the demo's judges score over the real /judge
# socket, so the boards move. SIM_ARGS e.g. "--projects S01,S02 --rate 5"; see README.md.
simulate: $(VENV)/.runtime
	$(BIN)/flask simulate --url http://127.0.0.1:$(PORT) --all-judges $(SIM_ARGS)

# `make test` runs the whole suite on in-memory SQLite, then the database layer's tests again
# on PostgreSQL (one database per run, made and dropped by tests/conftest.py), with the
# integration tests, which run only there. .ci/services.sh starts PostgreSQL and Redis
# first, installing them if missing; the SQLite run never needs them. PYTEST_ARGS goes to
# both runs; PG_TESTS= (empty) skips the second.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
PG_TESTS ?= tests/services tests/integration

test: $(VENV)/.dev translations system-deps  ## install what the tests need and run them all
	SAIPING_TEST_DATABASE_URL= $(BIN)/python -m pytest $(PYTEST_ARGS)
ifneq ($(strip $(PG_TESTS)),)
	bash .ci/services.sh
	SAIPING_TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PG_TESTS) $(PYTEST_ARGS)
endif

# The scaled setup on this machine (docs/operations.md): PostgreSQL and Redis (.ci/services.sh
# starts them, installing them if missing), a database $(CLUSTER_DB) migrated and seeded,
# two app processes (gevent) on 5001 and 5002 sharing Redis, and nginx in the foreground
# with docs/nginx-saiping.conf on :8080. Ctrl-C stops all three.
CLUSTER_DB    ?= saiping_cluster
CLUSTER_URL   ?= postgresql+psycopg://postgres@127.0.0.1:5432/$(CLUSTER_DB)
CLUSTER_QUEUE ?= redis://127.0.0.1:6379/0

run-cluster: $(VENV)/.runtime translations  ## PostgreSQL + Redis + two processes behind nginx on :8080
	bash .ci/services.sh
	command -v nginx >/dev/null || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends nginx-light; }
	psql -h 127.0.0.1 -U postgres -XAtqc "SELECT 1 FROM pg_database WHERE datname = '$(CLUSTER_DB)'" \
	  | grep -q 1 || psql -h 127.0.0.1 -U postgres -Xqc 'CREATE DATABASE "$(CLUSTER_DB)"'
	DATABASE_URL=$(CLUSTER_URL) $(BIN)/flask db upgrade
	DATABASE_URL=$(CLUSTER_URL) $(BIN)/flask seed-demo --if-empty
	mkdir -p instance/nginx
	export DATABASE_URL=$(CLUSTER_URL) SOCKETIO_MESSAGE_QUEUE=$(CLUSTER_QUEUE) \
	  SOCKETIO_ASYNC_MODE=gevent TRUSTED_PROXIES=1 RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/1; \
	$(BIN)/flask serve --port 5001 > instance/nginx/app-5001.log 2>&1 & a=$$!; \
	$(BIN)/flask serve --port 5002 > instance/nginx/app-5002.log 2>&1 & b=$$!; \
	trap 'kill $$a $$b 2>/dev/null; wait $$a $$b 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 120); do \
	  curl -sf --noproxy '*' -o /dev/null http://127.0.0.1:5001/healthz \
	    && curl -sf --noproxy '*' -o /dev/null http://127.0.0.1:5002/healthz && break; \
	  kill -0 $$a $$b 2>/dev/null || { tail -n 20 instance/nginx/app-500*.log; exit 1; }; \
	  sleep 0.5; \
	done; \
	sed -n '/Demo logins/,/Serving/p' instance/nginx/app-5001.log | grep -v Serving; \
	echo "SaiPing: two processes behind nginx on http://127.0.0.1:8080 (Ctrl-C stops all three)"; \
	nginx -p "$(CURDIR)/" -c docs/nginx-saiping.conf

services:  ## PostgreSQL and Redis on this machine, installed and started if they are not
	bash .ci/services.sh

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/mypy

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	touch $@

$(VENV)/.runtime: $(VENV)/.created requirements.txt
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Compiled catalogues (.mo) are build output, made from the .po files kept in git.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))
translations: $(VENV)/.runtime $(MO_FILES)
app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -f -d app/translations -l $* -i $< -o $@ >/dev/null

translations-update: $(VENV)/.runtime  ## re-extract strings after changing templates or code
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k _l -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l zh --no-fuzzy-matching

system-deps:
	bash .ci/system-deps.sh

# Prints figures, asserts nothing: 100 judges' sockets on one server process, threading
# against gevent. BENCH_ARGS e.g. "--duration 60" or "--rate 50"; see bench/README.md.
bench-judging: $(VENV)/.dev
	cd bench && npm ci --no-audit --no-fund
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Prints figures, asserts nothing: 1,000 spectators on /live against a bare Flask-SocketIO
# server, in each async mode. BENCH_ARGS e.g. "--connections 200 --duration 10" or
# "--interval 0.1"; see bench/README.md. bench/results_compute.py times the results
# computation in-process (no sockets).
bench-live: $(VENV)/.dev
	cd bench && npm ci --no-audit --no-fund
	$(BIN)/python bench/live_run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance
