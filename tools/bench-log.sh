#!/usr/bin/env bash
# Runs the event log benchmark in release mode and prints its figures.
# Usage: tools/bench-log.sh [--quick] [--dir PATH]
# The benchmark is a package of its own (Benchmarks/), built in release mode into Benchmarks/.build.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift run -c release --package-path Benchmarks dateline-bench log "$@"
