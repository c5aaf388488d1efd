#!/usr/bin/env bash
# Search at scale (issue 5): builds a generated site with `yishi build`
# (search index, feeds and data included, as always), reports the time the
# search index took within that build and its share of the build's CPU
# time, the index's files and size, and the bytes one query downloads
# (first page of results included), computed by the client's algorithm
# (`search::reader`, via examples/query_bytes.rs).
# usage: bench/search.sh [RECORDS]     (default: 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/yishi-search.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin yishi --example gen_corpus --example query_bytes
"$PWD/target/release/examples/gen_corpus" --records "$n" --seed 1 --out "$work/site" >/dev/null
out="$work/site/public"
/usr/bin/time -f "%e %U %S %M" -o "$work/time" target/release/yishi build --root "$work/site" \
  --output "$out" --as-of 2026-11-28 --verbose 2>"$work/verbose" >/dev/null
read -r wall user sys rss <"$work/time"
search_ms=$(awk '/search index/ { print $3 }' "$work/verbose")
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM; $(date -u +%F); $n records"
echo
awk -v w="$wall" -v u="$user" -v s="$sys" -v ms="$search_ms" -v rss="$rss" 'BEGIN {
  cpu = u + s
  printf "build: %.2f s wall, %.2f s CPU, peak RSS %d MB\n", w, cpu, rss / 1024
  printf "search index: %.2f s CPU = %.1f%% of the build'"'"'s CPU time\n", ms / 1000, 100 * ms / 1000 / cpu
}'
echo "index: $(find "$out/search" -type f | wc -l) files, $(du -sm "$out/search" | cut -f1) MB"
echo
target/release/examples/query_bytes "$out" 道路硬化 拆迁 预算 村民 拆迁补偿 2024
