#!/usr/bin/env bash
# Benchmark of `yishi serve`: save-to-reload latency on a generated
# 10,000-record site, for record edits and template edits (issue 3).
# usage: bench/serve.sh [RECORDS] [EDITS]
# YISHI=path/to/yishi measures that binary instead of this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000}
edits=${2:-20}
site=$(mktemp -d)
trap 'pkill -f "serve --port 0 --quiet --as-of 2026-11-28 --root $site" 2>/dev/null; rm -rf "$site"' EXIT

cargo build --release --quiet --bin yishi --example gen_corpus --example serve_latency
yishi=${YISHI:-target/release/yishi}
target/release/examples/gen_corpus --records "$records" --seed 1 --out "$site" >/dev/null
cp -r themes "$site/themes"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(date -u +%F)"
echo "site: $records records"
target/release/examples/serve_latency --yishi "$yishi" --root "$site" --edits "$edits"
