# The two commands the README leads with: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint translations translations-update system-deps clean bench-judging \
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

test: $(VENV)/.dev translations system-deps  ## install what the tests need and run them all
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
