#!/usr/bin/env bash
# Benchmark of `yishi serve` as a clerk experiences it (issues 3 and 17):
# on a generated site, the time until the home page is served, and from
# saving a record's body, a title, a new record, a deletion and a template
# to the preview serving the change; then the server's memory.
# usage: bench/serve.sh [RECORDS] [BODY_BYTES] [EDITS]
#   RECORDS     records generated (default 10000)
#   BODY_BYTES  every body lengthened to about this many bytes, like real
#               minutes (default 6000; 0 keeps the generator's short bodies)
#   EDITS       saves of each kind (default 10)
# The site is generated on the disk (under $TMPDIR, default /tmp).
# YISHI=path/to/yishi measures that binary instead of this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000}
body=${2:-6000}
edits=${3:-10}
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT

cargo build --release --quiet --bin yishi --example gen_corpus --example serve_latency
yishi=${YISHI:-target/release/yishi}
target/release/examples/gen_corpus --records "$records" --body-bytes "$body" --seed 1 --out "$site" >/dev/null
cp -r themes "$site/themes"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(date -u +%F)"
echo "site: $records records, bodies of about $body bytes ($(du -sm "$site/content" | cut -f1) MB of content); $($yishi --version)"
target/release/examples/serve_latency --yishi "$yishi" --root "$site" --edits "$edits"
