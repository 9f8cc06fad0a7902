#!/bin/sh
# Timeline projections benchmark (issue 4): rebuild speed over a 1M-event log built from the
# Reuters and Ukraine corpora in ../shared, and query latency. Release build.
#   tools/bench-projections.sh [--db /tmp/projections.sqlite] [--events 1000000] [--runs 200] [--split] [--floor]
# With --db the log is built once and reused by later runs. --split also times reading and
# decoding the log alone; --floor times SQLite alone writing the finished tables.
set -e
cd "$(dirname "$0")/.."
exec swift run -c release --package-path Benchmarks dateline-bench projections "$@"
