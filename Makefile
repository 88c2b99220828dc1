# TMS developer commands. The two a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
TOOLS_VENV ?= .venv-tools
# System programs a target runs: installed with apt as root, otherwise named (TMS_INSTALL_PACKAGES=0: named only).
ENSURE := bash scripts/ensure-commands.sh
# scripts/stack.py runs nginx as the ingress, and starts MariaDB and Redis when none answers.
define ensure_stack
$(ENSURE) nginx
$(ENSURE) --unless-answering "$${TMS_STACK_MYSQL:-mysql://root@127.0.0.1:3306}" mariadbd
$(ENSURE) --unless-answering "$${TMS_STACK_REDIS:-redis://127.0.0.1:6379/3}" redis-server
endef

.PHONY: help run test lint typecheck migrate install install-dev tools manifests frontend stack stack-stop backup restore bench capacity bench-reminders bench-smoke reliability images apiserver upgrade-test failover-test screenshots clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: install frontend ## set up and serve TMS on http://127.0.0.1:8000 (embedded SQLite; HOST=, PORT= to change)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "TMS is starting on http://$(HOST):$(PORT)/ — API docs at /api/docs/, admin at /admin/"
	TMS_PUBLIC_URL="$${TMS_PUBLIC_URL:-http://$(HOST):$(PORT)}" $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev tools frontend ## set up and run the whole test suite (SQLite, then MySQL/MariaDB if reachable)
	VENV=$(VENV) bash scripts/run-tests.sh $(PYTEST_ARGS)

lint: install-dev ## ruff
	$(BIN)/ruff check .

typecheck: install-dev ## mypy with the Django and DRF plugins (pyproject.toml [tool.mypy])
	$(BIN)/mypy

migrate: install ## apply migrations to the configured database
	$(BIN)/python manage.py migrate --noinput

stack: install frontend ## the cluster's topology here: MariaDB, Redis, auth :8001, tasks :8002, notifications worker :9100, nginx ingress :8080
	$(ensure_stack)
	$(BIN)/python scripts/stack.py start

stack-stop: ## stop what `make stack` started (MariaDB and Redis keep running)
	$(BIN)/python scripts/stack.py stop

backup: install ## dump the MySQL/MariaDB database (DATABASE_URL, TMS_DB_*, else make stack's) into backups/, newest 14 kept; OFFSITE=1 also copies it, age-encrypted, to the bucket (TMS_BACKUP_S3_*)
	$(ENSURE) "mariadb-dump|mysqldump"
	$(BIN)/python scripts/backup.py backup $(if $(OFFSITE),--offsite)

restore: install ## load FILE=backups/tms-....sql.gz, or FROM_BUCKET=1 [KEY=latest] AGE_KEY_FILE=..., into that database; it must be empty (FORCE=1 drops its tables)
	@test -n "$(FILE)$(FROM_BUCKET)" || { echo "usage: make restore FILE=backups/tms-YYYYmmddTHHMMSSZ.sql.gz [FORCE=1]" >&2; \
	  echo "   or: make restore FROM_BUCKET=1 [KEY=tms-YYYYmmddTHHMMSSZ.sql.gz.age|latest] AGE_KEY_FILE=path/to/key.txt [FORCE=1]" >&2; exit 2; }
	$(ENSURE) "mariadb|mysql"
	$(BIN)/python scripts/backup.py restore $(if $(FORCE),--force) $(if $(FROM_BUCKET),--from-bucket "$(or $(KEY),latest)" $(if $(AGE_KEY_FILE),--age-key "$(AGE_KEY_FILE)"),"$(FILE)")

bench: install-dev frontend ## load every endpoint through the ingress at 10k and 1M tasks, against baselines (docs/performance.md)
	$(ENSURE) wrk
	$(ensure_stack)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

capacity: install-dev ## the capacity table of docs/scaling.md and the production sizing from a bench results file (RESULTS=, default docs/bench-results/capacity.json; CHECK=1 only compares)
	$(BIN)/python -m bench.capacity $(RESULTS) $(if $(CHECK),--check)

bench-reminders: install-dev ## how many due reminders one and two notification workers send per second (MariaDB; docs/performance.md)
	$(ENSURE) --unless-answering "$${TMS_STACK_MYSQL:-mysql://root@127.0.0.1:3306}" mariadbd
	$(BIN)/python bench/reminders.py $(if $(COUNT),--count $(COUNT))

bench-smoke: install-dev frontend ## every endpoint for a second through the ingress; fails on any error response
	$(ENSURE) wrk
	$(ensure_stack)
	$(BIN)/python -m bench.run --smoke

reliability: install-dev frontend ## tests/reliability with long fuzzing, then a 10-minute soak at half capacity (docs/reliability.md)
	$(ENSURE) wrk
	$(ensure_stack)
	TMS_FUZZ_EXAMPLES=200 TMS_FUZZ_RANDOM=1 $(BIN)/pytest -q tests/reliability
	$(BIN)/python -m bench.soak

images: ## build the backend and frontend images with buildah (local Debian bases where no registry serves the official ones)
	$(ENSURE) buildah mmdebstrap
	$(PYTHON) scripts/images.py build

apiserver: ## build (once, cached in .cache/) a Kubernetes API server for custom resources: apiextensions-apiserver + etcd
	$(ENSURE) mmdebstrap
	bash scripts/apiserver/build.sh

screenshots: install frontend ## the docs' screenshots of every main view, desktop and phone, light and dark (docs/screenshots/)
	$(ENSURE) chromium
	$(BIN)/python scripts/screenshots.py

upgrade-test: install-dev frontend ## a rolling update under load, two instances per service, old code to this one: 0 failed, 0 lost
	$(ENSURE) wrk
	$(ensure_stack)
	$(BIN)/python -m bench.upgrade $(UPGRADE_ARGS)

failover-test: install-dev ## a 3-node Galera cluster behind HAProxy loses its writing node under load: nothing acknowledged lost, no 500 (docs/reliability.md)
	$(ENSURE) mariadbd haproxy rsync
	$(BIN)/python scripts/failover_test.py

frontend: frontend/dist/index.html ## build the web app (npm ci + vite build) into frontend/dist

FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/package-lock.json frontend/vite.config.ts -type f 2>/dev/null)
frontend/dist/index.html: $(FRONTEND_SOURCES)
	@command -v npm >/dev/null || { echo "TMS's web app needs Node.js 24 or 22 (LTS) and npm: https://nodejs.org/en/download or your distribution's packages." >&2; exit 1; }
	cd frontend && npm ci --no-audit --no-fund && npm run build

manifests: tools ## render the Kubernetes overlays into build/ (local and production: what Flux would apply; production-gateway)
	$(ENSURE) kubectl
	mkdir -p build
	kubectl kustomize k8s/overlays/local > build/local.yaml
	kubectl kustomize k8s/overlays/production > build/production.yaml
	kubectl kustomize k8s/overlays/production-gateway > build/production-gateway.yaml
	@echo "build/local.yaml, build/production.yaml and build/production-gateway.yaml written"

install: $(VENV)/.installed-runtime ## virtualenv with the runtime dependencies
install-dev: $(VENV)/.installed-dev ## virtualenv with the test and lint tools too

$(VENV)/.installed-runtime: requirements.txt
	PYTHON=$(PYTHON) bash scripts/ensure-system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

tools: $(TOOLS_VENV)/.installed ## the offline manifest checkers (checkov, kubernetes-validate), kept apart

$(TOOLS_VENV)/.installed: requirements-tools.txt
	test -x $(TOOLS_VENV)/bin/python || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	touch $@

clean: ## remove the virtualenv, the local database and collected static files
	rm -rf $(VENV) $(TOOLS_VENV) db.sqlite3 db.sqlite3-* staticfiles build frontend/dist frontend/node_modules .stack-bench .stack-bench-smoke .stack-soak
