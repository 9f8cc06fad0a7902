#!/bin/sh
# Builds datelined and dateline-load in release mode and runs the load measurements:
# ingest over the protocol (1 and 16 connections), paced fan-out to 1, 100 and 1000
# subscribers with latency, and server memory with 1000 idle subscribers, each beside a
# plain TCP fan-out baseline measured in the same run. Loopback only; stops by itself.
#
# Usage: tools/load.sh [dateline-load options]   (e.g. --seconds 3 --subscribers 1 100)
set -eu
cd "$(dirname "$0")/.."
# Both from the benchmark package in Benchmarks/ (datelined is a product of this package, which
# it depends on), into one release build there; dateline-load finds datelined beside itself.
swift build -c release --package-path Benchmarks --product datelined
swift build -c release --package-path Benchmarks --product dateline-load
exec Benchmarks/.build/release/dateline-load "$@"
