# Shared by the metrics tests: start keel with --metrics-listen on loopback
# port 0 and learn both ports from its start lines. Source it; needs $work
# (a temp dir) and $build (the build dir). Sets keel_pid, port, mport.
start_keel_with_metrics() {
  "$build/keel" --port 0 --data-dir "$work/data" --metrics-listen 127.0.0.1:0 \
    --argon2-ops 1 --argon2-mem-kib 8 "$@" >"$work/keel.out" 2>"$work/keel.err" &
  keel_pid=$!
  for _ in $(seq 100); do
    grep -q 'listening on http://' "$work/keel.out" 2>/dev/null && break
    sleep 0.1
  done
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/keel.out" | grep -o '[0-9]*$')" ||
    fail "keel did not start: $(cat "$work/keel.out" "$work/keel.err")"
  mport="$(grep -o 'metrics on http://127.0.0.1:[0-9]*' "$work/keel.out" | grep -o '[0-9]*$')" ||
    fail "no metrics line: $(cat "$work/keel.out")"
}

# A few requests over several routes and statuses.
some_traffic() {
  local k="http://127.0.0.1:$port"
  curl -s -o /dev/null "$k/healthz"
  curl -s -o /dev/null "$k/no/such/route"
  curl -s -o /dev/null -X DELETE "$k/healthz"
  curl -s -o /dev/null "$k/api/users" -H 'Content-Type: application/json' \
    -d '{"email":"m@example.com","name":"M","password":"correct horse"}'
  curl -s -o /dev/null "$k/api/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"m@example.com","password":"wrong password"}'
}
