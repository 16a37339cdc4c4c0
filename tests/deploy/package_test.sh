#!/usr/bin/env bash
# The Debian package (tools/package), checked the way a distribution would.
# Usage: tests/deploy/package_test.sh STEP SOURCE_DIR BUILD_DIR
#   build    tools/package from the binaries already in BUILD_DIR, into
#            BUILD_DIR/package (the other steps use that .deb)
#   lintian  lintian finds no error (and no warning) in the .deb
#   verify   systemd-analyze verify finds nothing to say about the unit
#   install  dpkg -i, run keel and keel-admin from /usr/bin, check the user,
#            the conffile, the installed unit and the logrotate snippet,
#            then dpkg --purge. Needs
#            root, or sudo without a password; fails otherwise.
set -euo pipefail
step="$1"
src="$2"
build="$3"
pkg_dir="$build/package"

fail() {
  echo "package_test $step: $*" >&2
  exit 1
}

the_deb() {
  local debs=("$pkg_dir"/keel_*.deb)
  [ -f "${debs[0]}" ] || fail "no .deb in $pkg_dir (the package_build test makes it)"
  [ ${#debs[@]} -eq 1 ] || fail "more than one .deb in $pkg_dir: ${debs[*]}"
  echo "${debs[0]}"
}

# systemd-analyze verify prints a line for anything it finds (an unknown key
# is only a warning, and its exit status stays 0), so clean means silent.
verify_unit() {
  local out
  out="$(systemd-analyze verify "$1" 2>&1)" || fail "systemd-analyze verify $1 failed: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $1 is not clean: $out"
}

case "$step" in
  build)
    rm -rf "$pkg_dir"
    "$src/tools/package" --no-build --build-dir "$build" --out "$pkg_dir" >/dev/null
    deb="$(the_deb)"
    # What the package must hold.
    listing="$(dpkg-deb -c "$deb" | awk '{ print $6 }')"
    for f in ./usr/bin/keel ./usr/bin/keel-admin ./lib/systemd/system/keel.service \
      ./etc/keel/keel.env ./etc/logrotate.d/keel ./usr/share/doc/keel/copyright \
      ./usr/share/doc/keel/changelog.gz; do
      grep -qx "$f" <<<"$listing" || fail "$deb lacks $f"
    done
    conffiles="$(dpkg-deb -I "$deb" conffiles)"
    grep -qx /etc/keel/keel.env <<<"$conffiles" || fail "keel.env is not a conffile"
    ;;

  lintian)
    deb="$(the_deb)"
    # Errors and warnings fail; "I:" (informational) findings do not. (As
    # root, lintian also says that root is not recommended: harmless.)
    out="$(lintian --fail-on error,warning "$deb" 2>&1)" || {
      echo "$out" >&2
      fail "lintian found problems in $deb"
    }
    echo "$out"
    ;;

  verify)
    # The unit as shipped, except that ExecStart points at the binary just
    # built: verify checks that the program exists, and /usr/bin/keel is
    # there only while the install step runs.
    dir="$(mktemp -d)"
    trap 'rm -rf "$dir"' EXIT
    sed "s|^ExecStart=/usr/bin/keel\$|ExecStart=$build/keel|" \
      "$src/deploy/systemd/keel.service" >"$dir/keel.service"
    grep -q "^ExecStart=$build/keel\$" "$dir/keel.service" || fail "no ExecStart=/usr/bin/keel line"
    verify_unit "$dir/keel.service"
    ;;

  install)
    deb="$(the_deb)"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
      sudo -n true 2>/dev/null || fail "needs root or sudo without a password"
      sudo=(sudo -n)
    fi
    # Two checkouts testing at once on one machine take turns here.
    exec 9>"${TMPDIR:-/tmp}/keel-package-install.lock"
    flock -w 120 9 || fail "another package install test holds the lock"
    if dpkg-query -W -f='${Status}' keel 2>/dev/null | grep -q 'ok installed'; then
      fail "a keel package is already installed here; not touching it (dpkg --purge keel)"
    fi
    user_existed=0
    getent passwd keel >/dev/null && user_existed=1
    cleanup() {
      "${sudo[@]}" dpkg --purge keel >/dev/null 2>&1 || true
      # postrm keeps the keel user (files may still belong to it); one
      # this test made goes again.
      if [ "$user_existed" -eq 0 ] && getent passwd keel >/dev/null; then
        "${sudo[@]}" deluser --system --quiet keel >/dev/null 2>&1 || true
        "${sudo[@]}" delgroup --system --quiet keel >/dev/null 2>&1 || true
      fi
    }
    trap cleanup EXIT

    # dpkg exits 2 while another dpkg or apt holds its lock: wait for it.
    for attempt in $(seq 30); do
      if out="$("${sudo[@]}" dpkg -i "$deb" 2>&1)"; then
        break
      fi
      if ! grep -qi lock <<<"$out" || [ "$attempt" -eq 30 ]; then
        echo "$out" >&2
        fail "dpkg -i $deb failed"
      fi
      sleep 2
    done

    version="$(dpkg-deb -f "$deb" Version)"
    [ "$(/usr/bin/keel --version)" = "keel $version" ] || fail "/usr/bin/keel --version is wrong"
    /usr/bin/keel-admin --help | grep -q '^Usage: keel-admin' || fail "/usr/bin/keel-admin --help"
    getent passwd keel >/dev/null || fail "postinst did not create the keel user"
    grep -qx 'KEEL_DATA_DIR=/var/lib/keel' /etc/keel/keel.env || fail "keel.env lacks KEEL_DATA_DIR"
    dpkg-query -W -f='${Conffiles}\n' keel | grep -q '/etc/keel/keel.env' ||
      fail "dpkg does not list keel.env as a conffile"
    verify_unit /lib/systemd/system/keel.service
    # The logrotate snippet parses (su needs the keel user, so only here).
    state="$(mktemp)"
    out="$(logrotate --debug --state "$state" /etc/logrotate.d/keel 2>&1)" || fail "logrotate: $out"
    rm -f "$state"
    ! grep -qi 'error' <<<"$out" || fail "logrotate: $out"

    "${sudo[@]}" dpkg --purge keel >/dev/null || fail "dpkg --purge keel failed"
    [ ! -e /usr/bin/keel ] || fail "/usr/bin/keel left after purge"
    [ ! -e /etc/keel/keel.env ] || fail "/etc/keel/keel.env left after purge"
    ;;

  *)
    fail "unknown step (build, lintian, verify or install)"
    ;;
esac
