#!/usr/bin/env bash
# Search at scale (issues 5 and 12): builds a generated site with `yishi
# build` (search index, feeds and data included, as always), reports the
# time the search index took within that build and its share of the build's
# CPU time, the index's files and size, and, for each query of the list
# below, in one table:
#   - the bytes the query downloads (first page of results included),
#     computed by the client's algorithm (`search::reader`, via
#     examples/query_bytes.rs);
#   - measured in headless Chromium (tests/tools/search_timing.mjs, the site
#     served on loopback, a fresh browser context per run): the bytes
#     downloaded (per query, and once per visit: the page's own files and the
#     index's top-level files), the time from pressing Enter to the first
#     result on the page (or to the final status when nothing is found),
#     median and max of 3 runs, and the status line shown.
# Skips the browser part (with a message) when node, playwright-core
# (tests/tools: npm ci) or Chromium (/usr/bin/chromium or YISHI_CHROMIUM)
# is missing.
# usage: bench/search.sh [RECORDS]     (default: 100000)
# The site and its output go to a folder in ${TMPDIR:-/tmp}, removed at the
# end.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}

# The query list (issue 12, point 6), KIND:QUERY. `issue5`: the six queries
# measured since issue 5. `unspaced`: two or three words typed without a
# space, in an order or adjacency that the generated titles and bodies
# (examples/gen_corpus.rs) do not have literally (checked below on the
# generated content). `traditional`: Traditional characters whose
# Simplified forms occur in the generated content (and the Traditional
# ones do not).
QUERIES=(
  issue5:道路硬化
  issue5:拆迁
  issue5:预算
  issue5:村民
  issue5:拆迁补偿
  issue5:2024
  unspaced:硬化村道           # 村道硬化工程, reordered
  unspaced:电梯加装           # 老旧小区加装电梯, reordered
  unspaced:宅基地补偿         # 宅基地拆迁补偿, words apart
  unspaced:安装路灯           # 太阳能路灯安装, reordered
  unspaced:2024预算           # 2024年度财务预算, words apart
  unspaced:自来水改造         # 自来水管网改造, words apart
  unspaced:河道整治           # 河道清淤整治, words apart
  unspaced:拆迁补偿宅基地     # 宅基地拆迁补偿, three words reordered
  unspaced:加装电梯老旧小区   # 老旧小区加装电梯, three words reordered
  unspaced:杏花镇拆迁         # place and word: 杏花镇宅基地拆迁补偿
  traditional:拆遷補償
  traditional:預算
  traditional:會議
  traditional:加裝電梯
  traditional:垃圾分類
)
kinds=()
queries=()
for kq in "${QUERIES[@]}"; do
  kinds+=("${kq%%:*}")
  queries+=("${kq#*:}")
done

work=$(mktemp -d "${TMPDIR:-/tmp}/yishi-search.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin yishi --example gen_corpus --example query_bytes
"$PWD/target/release/examples/gen_corpus" --records "$n" --seed 1 --out "$work/site" >/dev/null
out="$work/site/public"
load=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/time -f "%e %U %S %M" -o "$work/time" target/release/yishi build --root "$work/site" \
  --output "$out" --as-of 2026-11-28 --verbose 2>"$work/verbose" >/dev/null
read -r wall user sys rss <"$work/time"
search_ms=$(awk '/search index/ { print $3 }' "$work/verbose")
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM; $(date -u +%F); $n records;" \
  "load average $load before the build"
echo
awk -v w="$wall" -v u="$user" -v s="$sys" -v ms="$search_ms" -v rss="$rss" 'BEGIN {
  cpu = u + s
  printf "build: %.2f s wall, %.2f s CPU, peak RSS %d MB\n", w, cpu, rss / 1024
  printf "search index: %.2f s CPU = %.1f%% of the build'"'"'s CPU time\n", ms / 1000, 100 * ms / 1000 / cpu
}'
echo "index: $(find "$out/search" -type f | wc -l) files, $(du -sm "$out/search" | cut -f1) MB"
echo
echo "queries (${#queries[@]}):"
for i in "${!queries[@]}"; do echo "  ${kinds[$i]}: ${queries[$i]}"; done
echo

# The unspaced queries must not occur literally (then they would test the
# exact phrase, not the split), the Traditional ones neither.
for i in "${!queries[@]}"; do
  [ "${kinds[$i]}" = issue5 ] || printf '%s\n' "${queries[$i]}"
done >"$work/literal"
{ grep -rhoF -f "$work/literal" "$work/site/content" || true; } | sort | uniq -c | while read -r count q; do
  echo "warning: “$q” occurs literally $count times in the generated content"
done
echo

# Reader bytes: the rows `| query | results | files | KB |` of query_bytes.
target/release/examples/query_bytes "$out" "${queries[@]}" >"$work/reader"
sed -n '/^Once per visit/p' "$work/reader" | sed 's/ Per query:$//; s/^/reader: /'

# Browser timing.
have_browser=""
chromium=${YISHI_CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null; then
  echo "browser timing skipped: node is not installed"
elif [ ! -d tests/tools/node_modules/playwright-core ]; then
  echo "browser timing skipped: playwright-core is missing (cd tests/tools && npm ci)"
elif [ ! -x "$chromium" ]; then
  echo "browser timing skipped: no Chromium at $chromium (set YISHI_CHROMIUM)"
elif echo "load average before the browser runs: $(cut -d' ' -f1-3 /proc/loadavg)" &&
  node tests/tools/search_timing.mjs --tsv "$out" "${queries[@]}" >"$work/browser"; then
  have_browser=1
  echo "browser: headless Chromium ($("$chromium" --version 2>/dev/null | head -1 || true)), loopback," \
    "a fresh context per run, 3 runs per query (after one warm-up visit)"
else
  echo "browser timing failed:"
  cat "$work/browser"
fi
echo

echo "| query | kind | KB (reader) | KB (browser: per query + once per visit) | ms to first result (median, max) | results shown: status |"
echo "|---|---|---|---|---|---|"
for i in "${!queries[@]}"; do
  q=${queries[$i]}
  reader=$(awk -F ' [|] ' -v q="$q" '$1 == "| " q { gsub(/ [|]$/, "", $4); printf "%s (%s files; %s)", $4, $3, $2 }' "$work/reader")
  browser="–"
  timing="–"
  status="–"
  if [ -n "$have_browser" ]; then
    IFS=$'\t' read -r _ med max visit qbytes qfiles shown text < <(awk -F '\t' -v q="$q" '$1 == q' "$work/browser")
    browser=$(awk -v a="$qbytes" -v b="$visit" -v f="$qfiles" 'BEGIN { printf "%.0f + %.0f (%d files)", a / 1024, b / 1024, f }')
    timing="$med, $max"
    status="$shown: $text"
  fi
  echo "| $q | ${kinds[$i]} | ${reader:-(failed)} | $browser | $timing | $status |"
done
