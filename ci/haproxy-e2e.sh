#!/usr/bin/env bash
# HAProxy end to end with the fakeaccel provider: Debian's HAProxy (2.6,
# global `ssl-mode-async`: SSL_MODE_ASYNC, the async fds waited on in its own
# event loop) serves TLS on 127.0.0.1 with fakeaccel activated through an
# openssl.cnf (OPENSSL_CONF) before the default provider, so libssl's
# handshake digests are finalised on the simulated device and every
# handshake pauses its ASYNC job. One HAProxy per scenario (the device is
# configured when the provider loads); each scenario runs a bounded number
# of handshakes and requests with curl (TLS 1.3 and 1.2 alternately, several
# at once) and checks:
#   - the requests succeed (all of them for the benign faults; for a lost
#     completion the affected connections fail or time out, the others and
#     the ones started after a failure succeed, and a request after the load
#     succeeds)
#   - HAProxy's open fd count (/proc/PID/fd) returns exactly to its baseline
#     (taken after a warm-up) once the connections are closed
#   - HAProxy stops on SIGUSR1 (soft stop) without hard-stop-after, exits 0,
#     and the provider is torn down (its FAKEACCEL_COUNTERS file written)
#   - the device's counters, read at exit by haproxy-e2e-counters.c
#     (LD_PRELOADed; it works when the teardown does not run): jobs paused,
#     no device fd open, the fault fired (its counter where there is one:
#     spurious_resumes, retries, timeouts; else from its every:N schedule,
#     fired = floor(submitted / N)), one timeout per failed request when
#     completions are lost
# A hang, an fd leak or a crash of HAProxy under a fault fails its check and
# is reported with the evidence (fd listings, `show fd`, logs) kept.
#
# Usage: ci/haproxy-e2e.sh [--build DIR] [--requests N] [--parallel P]
#                          [--threads T] [--scenario NAME]... [--findings] [--keep]
#   --build DIR    build tree with fake_accel/provider/fakeaccel.so
#                  (default build/default; built with
#                  `cmake --build DIR --target fakeaccel` if missing)
#   --requests N   requests per scenario after the warm-up (default 40; the
#                  lost scenarios need about 10 for a completion to be lost)
#   --parallel P   curl clients at once (default 4)
#   --threads T    HAProxy's nbthread (default 2)
#   --scenario S   run only these (repeatable): sync none spurious duplicate
#                  late ring_full lost lost_abort, or a finding
#   --findings     also run the scenarios that show HAProxy 2.6's known
#                  failures (they fail): lost_close lost_forever
#   --keep         keep the temporary directory (kept anyway on a failure)
# Exit: 0 every scenario passed, 1 one failed, 2 setup error.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

build=build/default requests=40 parallel=4 threads=2 keep=0 with_findings=0
only=()
usage() { sed -n '/^# Usage:/,/^# Exit:/s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=${2:?--build needs a directory}; shift 2 ;;
    --requests) requests=${2:?}; shift 2 ;;
    --parallel) parallel=${2:?}; shift 2 ;;
    --threads) threads=${2:?}; shift 2 ;;
    --scenario) only+=("${2:?}"); shift 2 ;;
    --keep) keep=1; shift ;;
    --findings) with_findings=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "haproxy-e2e: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
setup_error() { echo "haproxy-e2e: setup error: $*" >&2; exit 2; }
for n in "$requests" "$parallel" "$threads"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || setup_error "--requests, --parallel and --threads take a positive number, got '$n'"
done

for tool in haproxy curl openssl ss timeout xargs cc; do
  command -v "$tool" >/dev/null || setup_error "'$tool' not found (bash ci/deps.sh installs haproxy and curl)"
done
[[ $build = /* ]] || build=$root/$build
module=$build/fake_accel/provider/fakeaccel.so
if [ ! -f "$module" ]; then
  [ -f "$build/CMakeCache.txt" ] || setup_error "$module missing and $build is no configured build tree (cmake --preset default)"
  echo "haproxy-e2e: building fakeaccel in $build"
  timeout 900 cmake --build "$build" --target fakeaccel >&2 || setup_error "cmake --build $build --target fakeaccel failed"
  [ -f "$module" ] || setup_error "$module still missing after the build"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/haproxy-e2e.XXXXXX") || setup_error "mktemp failed"
hap_pid=""
any_fail=0
cleanup() {
  if [ -n "$hap_pid" ] && kill -0 "$hap_pid" 2>/dev/null; then
    kill -KILL "$hap_pid" 2>/dev/null
    wait "$hap_pid" 2>/dev/null
  fi
  if [ "$keep" -eq 1 ] || [ "$any_fail" -ne 0 ]; then
    echo "haproxy-e2e: logs and configuration kept in $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# An EC P-256 key and a self-signed certificate, in one PEM bundle.
timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >"$tmp/openssl-req.log" 2>&1 ||
  { cat "$tmp/openssl-req.log" >&2; setup_error "openssl req failed"; }
cat "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/bundle.pem"

# The exit-time counters reader (haproxy-e2e-counters.c), LD_PRELOADed into
# HAProxy: the provider's own counters file is written at its teardown,
# which does not run when something still holds the provider at exit.
timeout 60 cc -shared -fPIC -O1 -Wall -o "$tmp/exit_counters.so" ci/haproxy-e2e-counters.c -lcrypto \
  >"$tmp/cc.log" 2>&1 || { cat "$tmp/cc.log" >&2; setup_error "cannot build ci/haproxy-e2e-counters.c"; }

# A free port: a random high one that nothing listens on (HAProxy's bind
# would fail otherwise, and the scenario is started again on another).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ] && { echo "$p"; return 0; }
  done
  return 1
}

# Scenarios: name, device config (the fakeaccel section's `config`), what
# is expected. Every fault is on an every:N schedule, so which requests it
# hits is fixed: fired = floor(indexes / N) with at least `submitted`
# indexes (rejected submits count too).
#   sync        control: no ssl-mode-async; the device must see nothing
#   none        async, no fault
#   spurious    an extra wake before the result (spurious_resumes > 0)
#   duplicate   two wakes after the result
#   late        the result 20 ms late
#   ring_full   a ring of one, one worker, and submit refusing every 5th:
#               the helper pauses and resubmits (retries > 0)
#   lost        completions lost; the 1 s deadline wakes the job, which
#               fails (timeouts > 0): that connection's handshake fails
#   lost_abort  the same, but the client gives up (1 s) before the 3 s
#               deadline (HAProxy does not notice before the job ends)
# and, with --findings, two that fail on HAProxy 2.6 (fake_accel/README.md):
#   lost_close  HAProxy's own `timeout client 1s` closes the connection
#               before the 3 s deadline, with the job paused: HAProxy frees
#               the SSL when the deadline wakes the fd, without resuming the
#               job (timeouts 0; the provider is never torn down)
#   lost_forever  no deadline (1000 s): the async fds of the closed
#               connections stay open, and the soft stop cannot finish
declare -A config expect every
config[sync]="seed=1";                                                     expect[sync]=sync
config[none]="seed=1";                                                     expect[none]=all
config[spurious]="seed=1;faults=spurious=every:7";                         expect[spurious]=all;   every[spurious]=7
config[duplicate]="seed=1;faults=duplicate=every:7";                       expect[duplicate]=all;  every[duplicate]=7
config[late]="seed=1;late_by=20ms;faults=late=every:50";                   expect[late]=all;       every[late]=50
config[ring_full]="seed=1;queue_depth=1;workers=1;ring_full=retry;retry_limit=1000000;faults=ring_full=every:5"
expect[ring_full]=all; every[ring_full]=5
config[lost]="seed=1;give_up_after=1s;faults=lost=every:400";              expect[lost]=lost;      every[lost]=400
config[lost_abort]="seed=1;give_up_after=3s;faults=lost=every:400";        expect[lost_abort]=lost; every[lost_abort]=400
config[lost_close]="seed=1;give_up_after=3s;faults=lost=every:400";        expect[lost_close]=lost; every[lost_close]=400
config[lost_forever]="seed=1;give_up_after=1000s;faults=lost=every:400";   expect[lost_forever]=lost; every[lost_forever]=400
# The client's time limit and HAProxy's `timeout client` (which also ends a
# handshake that takes too long), when not the defaults (10 s, 15 s).
declare -A client_max=([lost_abort]=1) hap_timeout=([lost_close]=1s [lost_forever]=1s)
# Seconds the fd count may take to return to the baseline after the load.
declare -A settle_s=([lost_abort]=6 [lost_close]=6)
order=(sync none spurious duplicate late ring_full lost lost_abort)
findings=(lost_close lost_forever)
[ "$with_findings" -eq 1 ] && order+=("${findings[@]}")
if [ ${#only[@]} -gt 0 ]; then
  for s in "${only[@]}"; do
    [ -v "config[$s]" ] || setup_error "unknown scenario '$s' (one of: ${order[*]} ${findings[*]})"
  done
  order=("${only[@]}")
fi

# One request: a fresh TLS handshake (TLS 1.3 for odd numbers, 1.2 for
# even) and a GET; prints "i rc http_code start_ns end_ns body".
one_request() {
  local i=$1 port=$2 max=$3 tls out rc start end
  if ((i % 2)); then tls=(--tlsv1.3); else tls=(--tlsv1.2 --tls-max 1.2); fi
  start=$(date +%s%N)
  out=$(timeout -s KILL $((max + 3)) curl -sk "${tls[@]}" --max-time "$max" -w ' %{http_code}' \
    "https://127.0.0.1:$port/" 2>/dev/null)
  rc=$?
  end=$(date +%s%N)
  echo "$i $rc ${out##* } $start $end ${out% *}"
}
export -f one_request

fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# The stats socket (TCP, on loopback): `show fd`, `show sess`, `show info`.
stats_cmd() {  # stats_cmd PORT COMMAND
  timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 && printf "%s\n" "$1" >&3 && cat <&3' "$1" "$2" 2>&1
}
counter() { sed -n "s/^$1=//p" "$2" 2>/dev/null | head -n1; }

declare -A row
row_format='%-12s %-7s %4s %4s %9s %7s %8s %7s %8s %5s %7s %5s %-4s %8s %5s'
run_scenario() {
  local name=$1 dir=$tmp/$1 t0=$SECONDS
  local fails=()
  mkdir -p "$dir"
  local async_line="  ssl-mode-async"
  [ "${expect[$name]}" = sync ] && async_line="  # no ssl-mode-async (control)"
  # The client's limit: past the deadline for `lost` (the job fails and the
  # handshake with it), short of it for `lost_abort` (the client gives up).
  local max=${client_max[$name]:-10}
  cat >"$dir/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
fakeaccel = fakeaccel_sect
default = default_sect
[fakeaccel_sect]
module = $module
config = ${config[$name]}
activate = 1
[default_sect]
activate = 1
EOF
  local port sport attempt started=0
  for attempt in 1 2 3; do
    port=$(free_port) && sport=$(free_port) || setup_error "no free port found"
    [ "$port" = "$sport" ] && continue
    cat >"$dir/haproxy.cfg" <<EOF
global
$async_line
  nbthread $threads
  stats socket ipv4@127.0.0.1:$sport level admin
  hard-stop-after 5s
defaults
  mode http
  timeout client ${hap_timeout[$name]:-15s}
  timeout connect 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:$port ssl crt $tmp/bundle.pem
  http-request return status 200 content-type text/plain string ok
EOF
    rm -f "$dir/counters" "$dir/exit-counters"
    OPENSSL_CONF=$dir/openssl.cnf FAKEACCEL_COUNTERS=$dir/counters FAKEACCEL_EXIT_COUNTERS=$dir/exit-counters \
      LD_PRELOAD=$tmp/exit_counters.so haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
    hap_pid=$!
    local w
    for w in $(seq 100); do
      kill -0 "$hap_pid" 2>/dev/null || break
      [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ] && { started=1; break; }
      sleep 0.05
    done
    [ $started -eq 1 ] && break
    kill -KILL "$hap_pid" 2>/dev/null; wait "$hap_pid" 2>/dev/null; hap_pid=""
    grep -q -i "cannot bind\|address already in use" "$dir/haproxy.log" || break
  done
  if [ $started -ne 1 ]; then
    cat "$dir/haproxy.log" >&2
    setup_error "$name: haproxy did not start listening on 127.0.0.1:$port ($dir/haproxy.log)"
  fi

  # Warm-up: two sequential requests (one per TLS version), then the baseline.
  local warm_ok=0 line
  for i in 1 2; do
    line=$(one_request "$i" "$port" 10)
    set -- $line
    [ "$2" = 0 ] && [ "$3" = 200 ] && warm_ok=$((warm_ok + 1))
  done
  [ $warm_ok -eq 2 ] || fails+=("warm-up: $warm_ok of 2 requests succeeded")
  sleep 0.2
  local base
  base=$(fd_count "$hap_pid")
  ls -l "/proc/$hap_pid/fd" >"$dir/fds-baseline.txt" 2>&1

  # The load: N requests, P at once.
  seq 3 $((requests + 2)) | timeout $((requests * (max + 4) / parallel + 60)) \
    xargs -P "$parallel" -I{} bash -c 'one_request "$@"' _ {} "$port" "$max" >"$dir/requests.txt"
  local ok=0 failed=0 failed_ids=() first_fail_end="" sum_ms=0 max_ms=0 ms
  while read -r i rc code start end body; do
    ms=$(((end - start) / 1000000))
    sum_ms=$((sum_ms + ms)); ((ms > max_ms)) && max_ms=$ms
    if [ "$rc" = 0 ] && [ "$code" = 200 ] && [ "$body" = ok ]; then
      ok=$((ok + 1))
    else
      failed=$((failed + 1)); failed_ids+=("$i(rc=$rc,${ms}ms)")
      if [ -z "$first_fail_end" ] || ((end < first_fail_end)); then first_fail_end=$end; fi
    fi
  done <"$dir/requests.txt"
  local total=$((ok + failed))
  # Failures by TLS version (odd requests TLS 1.3, even TLS 1.2): a version
  # that always fails is a configuration or provider problem, not a fault.
  local by_version
  by_version=$(awk '!($2 == 0 && $3 == 200 && $6 == "ok") { if ($1 % 2) f13++; else f12++ }
    END { printf "failed by version: TLS 1.3 %d, TLS 1.2 %d", f13, f12 }' "$dir/requests.txt")
  [ $total -eq "$requests" ] || fails+=("only $total of $requests requests reported (the load hit its time limit)")
  local after_fail_ok=0
  if [ -n "$first_fail_end" ]; then
    after_fail_ok=$(awk -v t="$first_fail_end" '$2 == 0 && $3 == 200 && $4 > t' "$dir/requests.txt" | wc -l)
  fi

  # HAProxy alive, serving, and back to its fd baseline once the
  # connections are gone (lost_abort: HAProxy keeps the SSL of a closed
  # connection until the job's fd is readable, i.e. the device's deadline).
  # What HAProxy's fd table holds right after the load: async fds still
  # polled for a job (ssl_async_fd_handler) or for a deferred SSL_free of a
  # closed connection (ssl_async_fd_free).
  local in_handler=- in_free=- probe_failed=0
  if kill -0 "$hap_pid" 2>/dev/null; then
    stats_cmd "$sport" "show fd" >"$dir/show-fd-after-load.txt"
    in_handler=$(grep -c 'ssl_async_fd_handler' "$dir/show-fd-after-load.txt")
    in_free=$(grep -c 'ssl_async_fd_free' "$dir/show-fd-after-load.txt")
  fi
  local settle=${settle_s[$name]:-3} after
  local alive=1
  kill -0 "$hap_pid" 2>/dev/null || alive=0
  if [ $alive -eq 0 ]; then
    fails+=("HAProxy died during the load (see $dir/haproxy.log)")
    after="-"
  else
    local deadline=$((SECONDS + settle))
    after=$(fd_count "$hap_pid")
    while [ "$after" -ne "$base" ] && [ $SECONDS -lt $deadline ]; do
      sleep 0.1
      after=$(fd_count "$hap_pid")
    done
    ls -l "/proc/$hap_pid/fd" >"$dir/fds-after.txt" 2>&1
    if [ "$after" -ne "$base" ]; then
      fails+=("fd count $after, baseline $base after ${settle}s (leak; $dir/fds-after.txt, $dir/show-fd.txt)")
      stats_cmd "$sport" "show fd" >"$dir/show-fd.txt"
      stats_cmd "$sport" "show sess" >"$dir/show-sess.txt"
      diff "$dir/fds-baseline.txt" "$dir/fds-after.txt" | grep '^[<>]' | sed 's/^/    /' | head -20 >"$dir/fd-diff.txt"
    fi
    stats_cmd "$sport" "show info" >"$dir/show-info.txt"
    # A request after the load must succeed (with lost completions: one of
    # three, as one handshake cannot meet two lost ones every 400 digests).
    local tries=1 probe_ok=0 t
    [ "${expect[$name]}" = lost ] && tries=3
    for t in $(seq "$tries"); do
      line=$(one_request 99999 "$port" 10)
      set -- $line
      [ "$2" = 0 ] && [ "$3" = 200 ] && { probe_ok=1; break; }
      probe_failed=$((probe_failed + 1))
    done
    [ $probe_ok -eq 1 ] || fails+=("a request after the load failed (rc=$2 http=$3): HAProxy no longer serves")
  fi

  # Stop: SIGUSR1 (soft stop; hard-stop-after 5 s), so that HAProxy exits
  # and libcrypto's atexit cleanup tears the provider down, which writes the
  # counters. SIGTERM, then SIGKILL, if it does not.
  local stop="usr1" rc
  kill -USR1 "$hap_pid" 2>/dev/null
  for w in $(seq 80); do kill -0 "$hap_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$hap_pid" 2>/dev/null; then
    stop="term"; kill -TERM "$hap_pid"
    for w in $(seq 30); do kill -0 "$hap_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$hap_pid" 2>/dev/null; then stop="kill"; kill -KILL "$hap_pid"; fi
    fails+=("HAProxy did not exit within 8 s of SIGUSR1 (stopped by SIG${stop^^})")
  fi
  wait "$hap_pid"; rc=$?
  hap_pid=""
  [ "$stop" = usr1 ] && [ $rc -ne 0 ] && fails+=("HAProxy exited $rc after SIGUSR1")
  [ $rc -ge 128 ] && [ "$stop" = usr1 ] && fails+=("HAProxy died by signal $((rc - 128))")
  if grep -q "performing a hard-stop" "$dir/haproxy.log"; then
    stop="hard"
    fails+=("the soft stop did not finish: hard-stop-after (5 s) ended HAProxy (connections or jobs left; $dir/haproxy.log)")
  fi

  # The counters: read at exit by the preloaded reader (exit-counters), and
  # written by the provider's teardown (counters) if it ran.
  local c=$dir/exit-counters submitted completed paused spurious retries timeouts open_fds fired="-" teardown=yes
  [ -s "$c" ] || fails+=("no exit counters: HAProxy did not exit through exit() (stop $stop, rc $rc)")
  if [ ! -s "$dir/counters" ]; then
    teardown=no
    fails+=("the provider was not torn down at exit (no FAKEACCEL_COUNTERS file): something still holds it")
  fi
  submitted=$(counter submitted "$c"); completed=$(counter completed "$c"); paused=$(counter paused "$c")
  spurious=$(counter spurious_resumes "$c"); retries=$(counter retries "$c")
  timeouts=$(counter timeouts "$c"); open_fds=$(counter open_fds "$c")
  : "${submitted:=0}" "${completed:=0}" "${paused:=0}" "${spurious:=0}" "${retries:=0}" "${timeouts:=0}" "${open_fds:=0}"
  [ -n "${every[$name]:-}" ] && fired=$((submitted / every[$name]))
  # Counters this script does not know (a newer provider's), shown as they are.
  local others
  others=$(grep -v -E '^(submitted|completed|paused|spurious_resumes|retries|timeouts|open_fds)=' "$c" 2>/dev/null |
    tr '\n' ' ')
  others=${others% }
  [ "$open_fds" -eq 0 ] || fails+=("device open_fds=$open_fds at exit")

  case ${expect[$name]} in
    sync)
      [ $ok -eq "$requests" ] || fails+=("$failed of $requests requests failed ($by_version): ${failed_ids[*]}")
      [ "$paused" -eq 0 ] && [ "$submitted" -eq 0 ] ||
        fails+=("without ssl-mode-async the device saw submitted=$submitted paused=$paused")
      ;;
    all)
      [ $ok -eq "$requests" ] || fails+=("$failed of $requests requests failed ($by_version): ${failed_ids[*]}")
      [ "$paused" -gt 0 ] || fails+=("no job paused (paused=0)")
      [ "$completed" -eq "$submitted" ] || fails+=("completed=$completed != submitted=$submitted")
      [ "$fired" = - ] || [ "$fired" -gt 0 ] || fails+=("the fault never fired (submitted=$submitted < every ${every[$name]})")
      case $name in
        spurious) [ "$spurious" -gt 0 ] || fails+=("spurious_resumes=0: no spurious wake reached a job") ;;
        ring_full) [ "$retries" -gt 0 ] || fails+=("retries=0: no submit was refused") ;;
      esac
      ;;
    lost)
      [ "$paused" -gt 0 ] || fails+=("no job paused (paused=0)")
      [ "$fired" -gt 0 ] || fails+=("the fault never fired (submitted=$submitted < every ${every[$name]})")
      [ $failed -gt 0 ] || fails+=("no request failed though $fired completions were lost")
      [ $ok -gt 0 ] || fails+=("no request succeeded: the lost completions took the others down")
      [ "$after_fail_ok" -gt 0 ] || fails+=("no request started after the first failure succeeded")
      if [ "$name" != lost_forever ]; then
        # Each lost completion is one digest whose job the deadline wakes and
        # which then ends as a timeout, failing its handshake, the others
        # going on; a job woken but never resumed counts no timeout.
        [ "$timeouts" -gt 0 ] || fails+=("timeouts=0: no job paused on a lost completion ran to its end (abandoned)")
        [ "$timeouts" -eq $((failed + probe_failed)) ] ||
          fails+=("timeouts=$timeouts but $((failed + probe_failed)) requests failed: $((failed + probe_failed - timeouts)) jobs never resumed after their deadline")
      fi
      ;;
  esac

  local verdict=PASS
  [ ${#fails[@]} -eq 0 ] || { verdict=FAIL; any_fail=1; }
  local secs=$((SECONDS - t0))
  local mean_ms=0
  [ $total -gt 0 ] && mean_ms=$((sum_ms / total))
  row[$name]=$(printf "$row_format" \
    "$name" "$verdict" "$ok" "$failed" "$submitted" "$paused" "$spurious" "$retries" "$timeouts" "$fired" \
    "$base/$after" "$mean_ms" "$stop" "$teardown" "${secs}s")
  echo "$verdict $name: $ok/$requests ok, $failed failed, submitted=$submitted completed=$completed" \
    "paused=$paused spurious_resumes=$spurious retries=$retries timeouts=$timeouts open_fds=$open_fds${others:+ $others}" \
    "fault fired=$fired, fds $base -> $after (after the load: $in_handler async fds polled, $in_free awaiting SSL_free), mean ${mean_ms} ms max ${max_ms} ms, stop $stop rc $rc," \
    "teardown $teardown, ${secs}s" \
    "[${config[$name]}]"
  if [ ${#fails[@]} -gt 0 ]; then
    printf '    - %s\n' "${fails[@]}"
    [ -s "$dir/fd-diff.txt" ] && { echo "    fds (baseline < > after):"; cat "$dir/fd-diff.txt"; }
    echo "    haproxy.log (last lines):"; tail -n 5 "$dir/haproxy.log" | sed 's/^/      /'
  fi
  [ $failed -gt 0 ] && [ "${expect[$name]}" = lost ] && echo "    failed as expected: ${failed_ids[*]}"
}

echo "haproxy-e2e: $(haproxy -v | head -n1)"
echo "haproxy-e2e: $(openssl version), provider $module"
echo "haproxy-e2e: $requests requests per scenario, $parallel at once, nbthread $threads, dir $tmp"
start_all=$SECONDS
for s in "${order[@]}"; do run_scenario "$s"; done

echo
printf "$row_format\n" scenario verdict ok fail submitted paused spurious retries timeouts fired \
  "fds b/a" "ms" stop teardown time
for s in "${order[@]}"; do echo "${row[$s]}"; done
echo "total $((SECONDS - start_all)) s"
exit $any_fail
