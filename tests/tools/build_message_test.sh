#!/usr/bin/env bash
# keel_build (tools/lib/build.sh), which every wrapper that builds uses, with
# a stand-in cmake on PATH so nothing is really built:
#   a build that takes over two seconds says "building LABEL (Release)… done
#     in N s" on stderr, and nothing on stdout;
#   an up-to-date build (a fast cmake) says nothing at all;
#   a failed build says so, shows cmake's output and returns non-zero;
#   a build dir whose cache already has the settings is not reconfigured.
# Usage: tests/tools/build_message_test.sh. Exit status: 0 passed, 1 failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/lib/build.sh
. "$root/tools/lib/build.sh"

fail() {
  echo "build_message_test.sh: FAIL: $*" >&2
  exit 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/keel-build-message.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/build"
cat >"$work/bin/cmake" <<'CMAKE'
#!/bin/sh
echo "cmake $*" >>"$FAKE_CMAKE_CALLS"
echo "fake cmake output: $*"
case "$1" in --build) sleep "${FAKE_CMAKE_SLEEP:-0}" ;; esac
exit "${FAKE_CMAKE_EXIT:-0}"
CMAKE
chmod +x "$work/bin/cmake"
export PATH="$work/bin:$PATH" FAKE_CMAKE_CALLS="$work/calls"

# run NAME: keel_build into NAME.out / NAME.err / NAME.status.
run() {
  local name="$1" status=0
  : >"$FAKE_CMAKE_CALLS"
  keel_build "$root" "$work/build" thing thing-target >"$work/$name.out" 2>"$work/$name.err" ||
    status=$?
  echo "$status" >"$work/$name.status"
}

FAKE_CMAKE_SLEEP=2.5 run slow
[ "$(cat "$work/slow.status")" = 0 ] || fail "slow build returned $(cat "$work/slow.status")"
grep -Eqx 'building thing \(Release\)… done in [0-9]+ s' "$work/slow.err" ||
  fail "slow build said: '$(cat "$work/slow.err")'"
[ ! -s "$work/slow.out" ] || fail "slow build wrote to stdout: $(cat "$work/slow.out")"
grep -q -- "-S $root -B $work/build -DCMAKE_BUILD_TYPE=Release" "$FAKE_CMAKE_CALLS" ||
  fail "no Release configure without a cache: $(cat "$FAKE_CMAKE_CALLS")"

printf 'CMAKE_BUILD_TYPE:STRING=Release\n' >"$work/build/CMakeCache.txt"
run fast
[ "$(cat "$work/fast.status")" = 0 ] || fail "fast build returned $(cat "$work/fast.status")"
if [ -s "$work/fast.err" ] || [ -s "$work/fast.out" ]; then
  fail "an up-to-date build printed: '$(cat "$work/fast.out" "$work/fast.err")'"
fi
! grep -q -- " -S " "$FAKE_CMAKE_CALLS" || fail "reconfigured a Release cache"

FAKE_CMAKE_SLEEP=2.5 FAKE_CMAKE_EXIT=3 run broken
[ "$(cat "$work/broken.status")" = 3 ] || fail "failed build returned $(cat "$work/broken.status")"
grep -q '^building thing (Release)… failed after [0-9]* s:$' "$work/broken.err" ||
  fail "failed build said: '$(cat "$work/broken.err")'"
grep -q "fake cmake output: --build" "$work/broken.err" ||
  fail "failed build hid cmake's output: '$(cat "$work/broken.err")'"
echo "build_message_test.sh: passed"
