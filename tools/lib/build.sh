# shellcheck shell=bash
# Sourced by the wrappers that build before they run (tools/run,
# tools/keel-admin, bench/micro/run.sh, bench/engine/compare_nginx.sh).
#
# keel_build ROOT BUILD_DIR LABEL TARGET... [-- -DNAME=VALUE...]
#   Builds the TARGETs in BUILD_DIR in Release, with CMAKE_BUILD_PARALLEL_LEVEL
#   jobs, else one per core. BUILD_DIR is configured first (Release, plus the
#   -D settings given) unless its CMakeCache.txt already has those values.
#   The build is quiet. When it takes over two seconds (a real build, not
#   an up-to-date check) it says so on stderr, "building LABEL (Release)…
#   done in 42 s", so a first run is never a silent wait. On failure it
#   shows the build's output on stderr and returns non-zero. stdout is left
#   to the program that runs next.

# _keel_configured BUILD_DIR [-DNAME=VALUE...]: whether the build dir has a
# cache that already holds every NAME=VALUE given.
_keel_configured() {
  local cache="$1/CMakeCache.txt" define name value
  shift
  [ -f "$cache" ] || return 1
  for define in "$@"; do
    define="${define#-D}"
    name="${define%%=*}"
    value="${define#*=}"
    grep -qxF -e "$name:BOOL=$value" -e "$name:STRING=$value" -e "$name:UNINITIALIZED=$value" \
      "$cache" || return 1
  done
}

keel_build() {
  local root="$1" build_dir="$2" label="$3"
  shift 3
  local targets=() defines=(-DCMAKE_BUILD_TYPE=Release)
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do targets+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  defines+=("$@")

  local log marker start=$SECONDS status=0 announcer
  log="$(mktemp "${TMPDIR:-/tmp}/keel-build.XXXXXX")"
  marker="$log.announced"
  # The announcement comes from a helper after two seconds, so an
  # up-to-date check (about one second for keel-admin on a busy 2-core
  # machine) prints nothing. Its sleep holds none of our pipes, so killing
  # it early never keeps a caller's pipe open; once it starts printing it
  # ignores SIGTERM, so the line and the marker always come together.
  ( sleep 2 >/dev/null 2>&1; trap '' TERM
    printf 'building %s (Release)… ' "$label" >&2; : >"$marker" ) &
  announcer=$!

  local jobs=()
  [ -n "${CMAKE_BUILD_PARALLEL_LEVEL:-}" ] || jobs=(-j"$(nproc)")
  {
    if ! _keel_configured "$build_dir" "${defines[@]}"; then
      cmake -S "$root" -B "$build_dir" "${defines[@]}"
    fi &&
      cmake --build "$build_dir" --target "${targets[@]}" "${jobs[@]}"
  } >"$log" 2>&1 || status=$?

  kill "$announcer" 2>/dev/null || true
  { wait "$announcer"; } 2>/dev/null || true
  if [ -e "$marker" ]; then
    if [ "$status" -eq 0 ]; then
      echo "done in $((SECONDS - start)) s" >&2
    else
      echo "failed after $((SECONDS - start)) s:" >&2
    fi
  fi
  [ "$status" -eq 0 ] || cat "$log" >&2
  rm -f "$log" "$marker"
  return "$status"
}
