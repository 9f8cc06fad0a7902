#!/usr/bin/env bash
# Measures extraction alone over the Reuters and Ukraine corpora (from ../shared) in release mode.
# Usage: tools/bench-extract.sh [CORPUS.jsonl …]
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift run -c release --package-path Benchmarks dateline-bench extract "$@"
