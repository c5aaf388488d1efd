#!/usr/bin/env bash
# Build benchmark (issue 4): for generated sites of 1,000, 10,000 and
# 100,000 records, whole-process timings, median of 3 after a warm-up:
# full build into an empty output, no-op rebuild, rebuild after changing one
# record, `yishi check`; peak RSS; output file count and size.
# usage: bench/run.sh [SIZES...]     (default: 1000 10000 100000)
# YISHI=path/to/yishi measures that binary instead of this checkout's (to
# compare two versions in one sitting: build the old one, keep it aside).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
work=$(mktemp -d "${TMPDIR:-/tmp}/yishi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "${YISHI:-}" ]; then
  cargo build --release --quiet --example gen_corpus
  yishi=$YISHI
else
  cargo build --release --quiet --bin yishi --example gen_corpus
  yishi=$PWD/target/release/yishi
fi
gen=$PWD/target/release/examples/gen_corpus

# run CMD... -> prints "seconds max_rss_kb"
run() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; cat "$work/time"; }
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM, $(uname -sr); $(date -u +%F)"
echo
echo "| records | full build s | per record ms | no-op rebuild s | one change s | check s | peak RSS MB | files | output MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  site="$work/site-$n"
  "$gen" --records "$n" --seed 1 --out "$site" >/dev/null
  out="$site/public"
  build=("$yishi" build --root "$site" --output "$out" --as-of 2026-11-28 --quiet)
  clean() { rm -rf "$out" "$site"/.public.yishi-*; }
  clean; run "${build[@]}" >/dev/null          # warm-up
  full=(); rss=0
  for _ in 1 2 3; do
    clean
    read -r s m < <(run "${build[@]}")
    full+=("$s"); rss=$(( m > rss ? m : rss ))
  done
  noop=()
  for _ in 1 2 3; do read -r s m < <(run "${build[@]}"); noop+=("$s"); rss=$(( m > rss ? m : rss )); done
  record=$(find "$site/content" -path '*/topics/*.md' | sort | awk 'NR==1')
  one=()
  for i in 1 2 3; do
    sed -i "0,/^title: /s//title: 改$i/" "$record"
    read -r s m < <(run "${build[@]}"); one+=("$s"); rss=$(( m > rss ? m : rss ))
  done
  chk=()
  for _ in 1 2 3; do read -r s m < <(run "$yishi" check --root "$site" --as-of 2026-11-28 --quiet); chk+=("$s"); done
  files=$(find "$out" -type f | wc -l)
  size=$(du -sm "$out" | cut -f1)
  f=$(median "${full[@]}")
  per=$(awk -v s="$f" -v n="$n" 'BEGIN { printf "%.3f", s * 1000 / n }')
  echo "| $n | $f | $per | $(median "${noop[@]}") | $(median "${one[@]}") | $(median "${chk[@]}") | $((rss / 1024)) | $files | $size |"
  rm -rf "$site"
done
