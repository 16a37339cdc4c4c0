#!/usr/bin/env bash
# The wrappers in tools/ run from a directory outside the checkout: every
# relative path they are given is relative to that directory, as for any
# command, and nothing lands in the checkout.
#   tools/keel-admin --data-dir DIR create-admin, backup DIR, and the
#     restore hint that backup prints, run as printed;
#   tools/bench compare OLD NEW --html FILE.
# (tools/bench micro --out is checked by bench/micro/run_test.sh.)
#
# Usage: tests/tools/relative_paths_test.sh BUILD_DIR
#   keel-admin is used as built in BUILD_DIR (KEEL_NO_BUILD=1): the test
#   never builds. Exit status: 0 passed, 1 failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 1; }
build="$(cd "$1" && pwd)"

fail() {
  echo "relative_paths_test.sh: FAIL: $*" >&2
  exit 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/keel-relative.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
# Names no checkout has, so finding one there can only be this test's doing.
tag="rel-$$-$RANDOM"
data="$tag-data" copy="$tag-copy" restored="$tag-restored"

export KEEL_BUILD_DIR="$build" KEEL_NO_BUILD=1
unset KEEL_DATA_DIR KEEL_MAP_SIZE
admin() {
  "$root/tools/keel-admin" "$@" >out.txt 2>err.txt ||
    fail "tools/keel-admin $* exited $?: $(cat out.txt err.txt)"
}

admin --data-dir "$data" create-admin --email boss@example.com --password boss-password \
  --argon2-ops 1 --argon2-mem-kib 8
[ -f "$work/$data/data.mdb" ] || fail "create-admin did not create ./$data/data.mdb"

admin --data-dir "$data" backup "$copy"
[ -f "$work/$copy/data.mdb" ] || fail "backup did not write ./$copy/data.mdb"

# The hint names the backup as it was given, so it works from here.
hint="$(grep -o "mkdir NEWDIR && cp -p .* NEWDIR/" out.txt)" || fail "no restore hint in: $(cat out.txt)"
bash -c "${hint//NEWDIR/$restored}" || fail "the restore hint failed: $hint"
admin --data-dir "$restored" list
grep -q "boss@example.com" out.txt || fail "the restored copy lacks the admin: $(cat out.txt)"

cp "$root/bench/tools/testdata/load_old.json" old.json
cp "$root/bench/tools/testdata/load_new.json" new.json
"$root/tools/bench" compare old.json new.json --html "$tag.html" >out.txt 2>err.txt ||
  fail "tools/bench compare exited $?: $(cat err.txt)"
[ -s "$work/$tag.html" ] || fail "compare --html did not write ./$tag.html"

for name in "$data" "$copy" "$restored" "$tag.html"; do
  [ ! -e "$root/$name" ] || fail "$name was created in the checkout ($root)"
done
echo "relative_paths_test.sh: passed"
