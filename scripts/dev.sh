#!/usr/bin/env bash
# One entry per habit: run, test, lint, format, worker, messages. The README and CI use these.
#   bash scripts/dev.sh run      set up (venv, packages) and run the demo on http://127.0.0.1:8000
#   bash scripts/dev.sh test     set up and run the whole test suite (SQLite, then PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${LOA_VENV:-.venv}
PY=${PYTHON:-python3}

say() { printf '\n== %s\n' "$*"; }

need_python() {
  if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Loa needs Python 3.11 or newer ($PY is $("$PY" --version 2>&1))." >&2
    exit 1
  fi
}

setup() {  # $1: extras ("" or "test")
  need_python
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in $VENV"
    "$PY" -m venv "$VENV"
  fi
  local spec="."
  [ -n "${1:-}" ] && spec=".[${1}]"
  say "Installing Loa and its packages"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$spec"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

debian_packages() {  # $1: "test" adds Chromium (browser tests) and gettext (catalogue check)
  local missing=()
  # Reports: LibreOffice makes the PDF, with Liberation Serif for Times New Roman (the 2.x
  # fonts have every Vietnamese letter); poppler's pdftoppm draws the preview pages.
  command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
  [ -e /usr/share/fonts/truetype/liberation2 ] || missing+=(fonts-liberation2)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  if [ "${1:-}" = test ]; then
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v xgettext >/dev/null || missing+=(gettext)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if command -v apt-get >/dev/null; then
    say "Installing Debian packages: ${missing[*]}"
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
      return 0
    fi
  fi
  if [ "${CI:-}" = true ]; then
    echo "Could not install ${missing[*]}; CI needs them." >&2
    exit 1
  fi
  echo "Note: ${missing[*]} not installed; what needs them (report PDFs, browser tests) is skipped." >&2
}

test_env() {
  export SECRET_KEY=test-only-not-secret LOA_HTTPS=false LOA_DEBUG=false
  unset DATABASE_URL
}

postgres_url() {
  local url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/loa}
  if "$VENV/bin/python" - "$url" <<'PY' 2>/dev/null; then echo "$url"; fi
import sys, psycopg, dj_database_url
c = dj_database_url.parse(sys.argv[1])
psycopg.connect(host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], password=c["PASSWORD"],
                dbname="postgres", connect_timeout=3).close()
PY
}

cmd_lint() {
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  # Types on the write path, the read path and the permission rules (settings from pyproject).
  SECRET_KEY=lint-only LOA_DEBUG=true "$VENV/bin/mypy"
}

cmd_test() {
  setup test
  debian_packages test
  test_env
  say "Lint, format and type check (ruff, mypy)"
  cmd_lint
  say "Tests on SQLite"
  "$VENV/bin/pytest" -q "$@"
  local url
  url=$(postgres_url || true)
  if [ -n "$url" ]; then
    say "Tests on PostgreSQL ($url; pytest-django creates the test database)"
    DATABASE_URL=$url "$VENV/bin/pytest" -q "$@"
  elif [ "${CI:-}" = true ]; then
    echo "PostgreSQL does not answer at ${TEST_DATABASE_URL:-127.0.0.1:5432}; CI needs it." >&2
    exit 1
  else
    say "PostgreSQL does not answer: the PostgreSQL run was SKIPPED (set TEST_DATABASE_URL)."
  fi
}

cmd_run() {
  setup
  debian_packages
  exec "$VENV/bin/loa" run "$@"
}

cmd_bench() {  # the figures of every benchmark: on SQLite, and on PostgreSQL when one answers,
  # against the province in loa_bench_province (filled by bench/province.py, or by the first
  # benchmark that finds it missing; kept for the next run). scale.py is run by hand.
  setup
  "$VENV/bin/python" bench/library.py --db sqlite "$@"
  "$VENV/bin/python" bench/plan_import.py --db sqlite
  if [ -n "$(postgres_url || true)" ]; then
    "$VENV/bin/python" bench/library.py --db postgres "$@"
    "$VENV/bin/python" bench/plan_import.py --db postgres
    "$VENV/bin/python" bench/outreach.py
    "$VENV/bin/python" bench/events.py
    "$VENV/bin/python" bench/reports.py
  fi
}

cmd_worker() { exec "$VENV/bin/loa" db_worker --queue-name '*' "$@"; }

cmd_format() {
  "$VENV/bin/ruff" format .
  "$VENV/bin/ruff" check --fix .
}

cmd_messages() {  # refresh the Vietnamese catalogue after changing strings, then translate
  (cd loa && LOA_DEBUG=true SECRET_KEY=x "../$VENV/bin/django-admin" makemessages -l vi \
    --no-location --no-obsolete -i 'tests/*' --settings=loa.settings)
  LOA_DEBUG=true SECRET_KEY=x "$VENV/bin/loa" compilemessages -l vi --ignore "$VENV"
}

case "${1:-}" in
  run | test | lint | format | bench | worker | messages) name=$1; shift; "cmd_$name" "$@" ;;
  *) sed -n '2,4p' "$0"; exit 2 ;;
esac
