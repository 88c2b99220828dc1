#!/usr/bin/env bash
# The whole test suite: lint and types, then pytest on SQLite, then again on MySQL/MariaDB
# when one is reachable (TMS_TEST_DATABASE_URL), then the bench's smoke run.
# With TMS_REQUIRE_SERVICES=1 (CI) a missing database or service is a failure, not a skip.
set -uo pipefail

bin=${VENV:-.venv}/bin
mysql_url=${TMS_TEST_DATABASE_URL:-mysql://root@127.0.0.1:3306/tms}
status=0
results=()

run() {
  local label=$1; shift
  echo
  echo "=== $label"
  if "$@"; then results+=("$label: passed"); else results+=("$label: FAILED"); status=1; fi
}

run "lint (ruff)" "$bin/ruff" check .
run "types (mypy)" "$bin/mypy"
run "migrations keep the previous release working (django-migration-linter)" "$bin/python" scripts/lint_migrations.py
run "web app unit tests (vitest)" bash -c "cd frontend && npx vitest run"
run "web app lint (eslint, prettier --check)" bash -c "cd frontend && npm run --silent lint"
# The committed API types (frontend/src/api/schema.d.ts) against a fresh copy from this code's OpenAPI schema
# (the script runs manage.py spectacular with $VENV, relative to the repository).
run "web app API types match the OpenAPI schema" bash -c "cd frontend && npm run --silent api-types -- --check"
run "web app in a real browser (playwright + chromium)" "$bin/python" scripts/run-e2e.py
# The images the cluster runs, built here so that the SQLite pass below runs them (tests/images).
if command -v buildah >/dev/null 2>&1 && command -v mmdebstrap >/dev/null 2>&1; then
  run "container images (buildah; Debian bases where no registry serves the official ones)" \
    make --no-print-directory images PYTHON="$bin/python"
else
  why="buildah and mmdebstrap are not installed (Debian: apt-get install buildah mmdebstrap)"
  echo
  echo "=== container images: SKIPPED — $why; the image smoke tests skip too"
  if [ "${TMS_REQUIRE_SERVICES:-0}" = 1 ]; then
    results+=("container images: FAILED (required but $why)"); status=1
  else
    results+=("container images: skipped ($why)")
  fi
fi
# CI (.ci/run) builds the API server for the custom-resource check in the background: wait for it
# here (the build takes a lock; this prints what was built, or builds it when that run failed).
if [ "${TMS_BUILD_APISERVER:-0}" = 1 ]; then
  run "Kubernetes API server for the custom resources (make apiserver)" make --no-print-directory apiserver
fi
run "tests on SQLite" env -u DATABASE_URL "$bin/pytest" "$@"

if reason=$("$bin/python" scripts/db_reachable.py "$mysql_url"); then
  # Manifest checks, the server tests (own SQLite files) and the image smoke tests (own database)
  # do not use this database: they ran above.
  run "tests on MySQL/MariaDB" env DATABASE_URL="$mysql_url" "$bin/pytest" -m "not manifests and not server and not images" "$@"
else
  echo
  echo "=== tests on MySQL/MariaDB: SKIPPED — $reason (set TMS_TEST_DATABASE_URL)"
  if [ "${TMS_REQUIRE_SERVICES:-0}" = 1 ]; then
    results+=("tests on MySQL/MariaDB: FAILED (required but unreachable)"); status=1
  else
    results+=("tests on MySQL/MariaDB: skipped ($reason)")
  fi
fi

# The bench's smoke run: every endpoint for a second through nginx, on the production topology.
missing_tools=$(for tool in wrk nginx; do command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] || echo -n "$tool "; done)
if [ -n "$missing_tools" ] || ! reason=$("$bin/python" scripts/db_reachable.py "$mysql_url"); then
  why=${missing_tools:+missing ${missing_tools}}${missing_tools:-$reason}
  echo
  echo "=== bench smoke: SKIPPED — $why"
  if [ "${TMS_REQUIRE_SERVICES:-0}" = 1 ]; then
    results+=("bench smoke: FAILED (required but $why)"); status=1
  else
    results+=("bench smoke: skipped ($why)")
  fi
else
  run "bench smoke (wrk through the nginx ingress, no error response allowed)" \
    env TMS_STACK_MYSQL="${mysql_url%/*}" "$bin/python" -m bench.run --smoke
fi

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
exit $status
