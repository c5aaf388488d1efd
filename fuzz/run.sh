#!/usr/bin/env bash
# Run the fuzz targets: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Installs cargo-fuzz (pinned, from crates.io) when missing, builds every
# target with libFuzzer on the stable toolchain (no sanitizer, so no
# nightly; debug assertions and overflow checks on), then runs each target
# for SECONDS_PER_TARGET (default 60), one after the other, and prints per
# target: executions, coverage (edges and features), corpus, crashes.
# Exits non-zero if any target crashed (or failed to run).
#
# The committed corpus, fuzz/corpus/TARGET, is read as seeds and never
# written; what a run finds goes to fuzz/work/TARGET (kept between runs,
# not committed) and crashing inputs to fuzz/artifacts/TARGET.
#
# Environment:
#   FUZZ_LOG_DIR     where TARGET.log and TARGET.summary go
#                    (default fuzz/work/logs)
#   FUZZ_KEEP_GOING  1: after a crash, start the target again until its
#                    time is spent, counting crashes (for long runs)
#   FUZZ_NO_BUILD    1: use the binaries already built
#   FUZZ_SEED        libFuzzer's -seed (default 0: random); with FUZZ_RUNS,
#   FUZZ_RUNS        -runs: a fixed seed and count make a run repeatable
#                    (CI uses both, so that a green run stays green)
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2
FUZZ_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
SECONDS_PER_TARGET="${1:-60}"
shift || true
if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  TARGETS=()
  for f in "$FUZZ_DIR"/fuzz_targets/*.rs; do
    TARGETS+=("$(basename "$f" .rs)")
  done
fi
LOG_DIR="${FUZZ_LOG_DIR:-$FUZZ_DIR/work/logs}"
mkdir -p "$LOG_DIR"

export CARGO_TERM_COLOR=never CARGO_TERM_PROGRESS_WHEN=never
if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
  echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

# The flags every build and run shares: no sanitizer (the stable route),
# debug assertions (and so overflow checks) on.
FLAGS=(--fuzz-dir "$FUZZ_DIR" --sanitizer none --debug-assertions)
cd "$ROOT"
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  echo "== building the fuzz targets"
  cargo fuzz build "${FLAGS[@]}"
fi
BIN_DIR="$FUZZ_DIR/target/$(rustc -vV | sed -n 's/^host: //p')/release"

# One libFuzzer run of target $1 for $2 seconds; appends to $3 (the log).
run_once() {
  local t="$1" secs="$2" log="$3"
  mkdir -p "$FUZZ_DIR/work/$t" "$FUZZ_DIR/artifacts/$t"
  "$BIN_DIR/$t" "$FUZZ_DIR/work/$t" "$FUZZ_DIR/corpus/$t" \
    -max_total_time="$secs" -seed="${FUZZ_SEED:-0}" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
    -print_final_stats=1 -timeout=60 -rss_limit_mb=4096 \
    -artifact_prefix="$FUZZ_DIR/artifacts/$t/" </dev/null >>"$log" 2>&1
}

failed=0
printf '%-14s %12s %8s %9s %10s %8s\n' target executions edges features corpus crashes
for t in "${TARGETS[@]}"; do
  log="$LOG_DIR/$t.log"
  : >"$log"
  start=$(date +%s)
  execs=0
  crashes=0
  status=0
  while :; do
    now=$(date +%s)
    left=$((SECONDS_PER_TARGET - (now - start)))
    [ "$left" -ge 1 ] || break
    before=$(grep -c '^stat::number_of_executed_units' "$log" || true)
    if run_once "$t" "$left" "$log"; then
      status=0
    else
      status=$?
    fi
    units=$(grep '^stat::number_of_executed_units' "$log" | tail -n 1 | awk '{print $2}' || true)
    after=$(grep -c '^stat::number_of_executed_units' "$log" || true)
    if [ "$after" -gt "$before" ] && [ -n "$units" ]; then
      execs=$((execs + units))
    fi
    if [ "$status" -ne 0 ]; then
      crashes=$((crashes + 1))
      [ "${FUZZ_KEEP_GOING:-0}" = 1 ] || break
    else
      break
    fi
  done
  # The last status line: "#N DONE cov: E ft: F corp: C/S ..." (or the
  # last "#N ... cov:" line before a crash).
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)
  edges=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  features=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  elapsed=$(($(date +%s) - start))
  printf '%-14s %12s %8s %9s %10s %8s\n' "$t" "$execs" "${edges:-?}" "${features:-?}" \
    "${corpus:-?}" "$crashes"
  {
    echo "target: $t"
    echo "seconds: $elapsed"
    echo "executions: $execs"
    echo "edges: ${edges:-?}"
    echo "features: ${features:-?}"
    echo "corpus: ${corpus:-?}"
    echo "crashes: $crashes"
    echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    if [ "$crashes" -gt 0 ]; then
      echo "artifacts:"
      ls -1 "$FUZZ_DIR/artifacts/$t" | sed "s|^|  $FUZZ_DIR/artifacts/$t/|"
    fi
  } >"$LOG_DIR/$t.summary"
  if [ "$crashes" -gt 0 ]; then
    failed=1
    echo "-- $t crashed; the end of $log:"
    grep -E 'panicked at|ERROR: libFuzzer|Test unit written|^SUMMARY' "$log" | tail -n 8
  fi
done
exit "$failed"
