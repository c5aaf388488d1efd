#!/usr/bin/env bash
# Output manifests for refactors (issue 10): the SHA-256 of every file a build
# publishes, for the demo site, every fixture site under tests/fixtures, and a
# generated site (fixed seed, fixed --as-of), each built at a base URL with a
# sub-path. A refactor must leave every manifest identical:
#
#   bench/manifest.sh before/     # on the commit before the change
#   bench/manifest.sh after/      # on the commit after it
#   diff -r before/ after/        # must print nothing
#
# usage: bench/manifest.sh OUTDIR [RECORDS]   (RECORDS default 20000; 0 skips
# the generated site)
# YISHI=path/to/yishi uses that binary instead of building this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: bench/manifest.sh OUTDIR [RECORDS]}
records=${2:-20000}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/yishi-manifest.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -z "${YISHI:-}" ]; then
  cargo build --release --quiet --bin yishi --example gen_corpus
  YISHI=$PWD/target/release/yishi
elif [ "$records" -gt 0 ]; then
  cargo build --release --quiet --example gen_corpus
fi
gen=$PWD/target/release/examples/gen_corpus
as_of=2026-11-28
base=https://example.org/sub/path/

# manifest NAME SITE: build SITE into a fresh folder and list every file's hash
manifest() {
  local name=$1 site=$2 out="$work/out-$1"
  rm -rf "$out"
  (cd "$site" && "$YISHI" build --root . --output "$out" --as-of "$as_of" --base-url "$base" --quiet)
  (cd "$out" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > "$dest/$name.sha256"
  echo "$name: $(wc -l < "$dest/$name.sha256") files"
  rm -rf "$out" "$work"/.out-"$1".yishi-* 2>/dev/null || true
}

# Copy each site so that no cache or record beside the output is reused.
mkdir "$work/demo"
cp -r content themes site.toml "$work/demo/"
manifest demo "$work/demo"
for f in tests/fixtures/*/; do
  name=fixture-$(basename "$f")
  cp -r "$f" "$work/$name"
  manifest "$name" "$work/$name"
done
if [ "$records" -gt 0 ]; then
  "$gen" --records "$records" --seed 1 --out "$work/corpus" >/dev/null
  manifest "corpus-$records" "$work/corpus"
fi
