#!/usr/bin/env bash
# Runs the PostgreSQL log benchmark in release mode and prints its figures: appends against
# plain inserts and the SQLite log, one server against three, delivery across servers.
# Usage: tools/bench-postgres.sh postgres://USER@HOST:PORT/DB [--quick]
# The user must be allowed to create databases (each measurement makes and drops its own).
# The benchmark is a package of its own (Benchmarks/), built in release mode into Benchmarks/.build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 postgres://USER@HOST:PORT/DB [--quick]" >&2; exit 64; }
url=$1; shift
exec swift run -c release --package-path Benchmarks dateline-bench postgres --url "$url" "$@"
