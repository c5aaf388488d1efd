#!/usr/bin/env bash
# Would a build-time word segmenter (jieba) improve search ranking? (issue 12)
# Builds the demo (content/) and a generated site of RECORDS records with
# `yishi build`, then runs the query set on the demo's index through the
# reader (A) and the segmenter-assisted rankings (B, C′, C), and times jieba
# on both sites. Results: bench/results/segmenter.md.
# usage: bench/segmenter/run.sh [RECORDS]     (default: 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}
# One target folder for yishi and the bench: shared dependencies build once.
export CARGO_TARGET_DIR="$PWD/bench/segmenter/target"
bin="$CARGO_TARGET_DIR/release"
work=$(mktemp -d "${TMPDIR:-/tmp}/yishi-segmenter.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin yishi --example gen_corpus
cargo build --release --quiet --manifest-path bench/segmenter/Cargo.toml
"$bin/yishi" build --root . --output "$work/demo" --as-of 2026-11-28 --quiet
"$bin/examples/gen_corpus" --records "$n" --seed 1 --out "$work/site" >/dev/null
/usr/bin/time -f "%e %U %S" -o "$work/time" "$bin/yishi" build --root "$work/site" \
  --output "$work/site/public" --as-of 2026-11-28 --verbose 2>"$work/verbose" >/dev/null
read -r wall user sys <"$work/time"
search_ms=$(awk '/search index/ { print $3 }' "$work/verbose")
echo "machine: $(nproc) cores; $(date -u +%F)"
echo "yishi build of $n generated records: $wall s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') s CPU, of which the search index $(awk -v ms="$search_ms" 'BEGIN { print ms / 1000 }') s"
echo
"$bin/yishi-segmenter-bench" "$work/demo" --corpus "$work/site/public"
