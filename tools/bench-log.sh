#!/usr/bin/env bash
# Runs the event log benchmark in release mode and prints its figures.
# Usage: tools/bench-log.sh [--quick] [--dir PATH]
# Builds into .build-release (git-ignored) so it does not disturb the debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift run -c release --scratch-path .build-release dateline-bench log "$@"
