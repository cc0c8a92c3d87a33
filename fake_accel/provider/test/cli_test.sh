#!/usr/bin/env bash
# The stock openssl CLI with fakeaccel: cli_test.sh speed|dgst|s_server OPENSSL PROVIDER_DIR
#   speed:    `openssl speed -async_jobs 16 -evp sha256` exits 0 and the
#             provider's counters file shows jobs paused and requests completed
#   dgst:     `openssl dgst -sha256` of a file equals sha256sum's, with the
#             query optional and mandatory
#   s_server: an EC P-256 key and self-signed certificate made by the CLI
#             with fakeaccel loaded; `openssl s_server -async -naccept 3`
#             completes a TLS 1.3 handshake with each of 3 `s_client`s
#             (verified, ECDSA), exits, and its counters file shows jobs
#             paused and one fakeaccel signature per handshake
set -euo pipefail
check=$1 openssl=$2 dir=$3
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
load=(-provider-path "$dir" -provider fakeaccel -provider default)
prov=("${load[@]}" -propquery '?provider=fakeaccel')
counter() { sed -n "s/^$1=//p" "$2"; }

case $check in
speed)
  FAKEACCEL_COUNTERS=$tmp/counters "$openssl" speed "${prov[@]}" -async_jobs 16 -seconds 1 -bytes 1024 \
    -evp sha256 >"$tmp/out" 2>&1 || { cat "$tmp/out"; echo "FAIL: openssl speed exited $?"; exit 1; }
  cat "$tmp/out" "$tmp/counters"
  paused=$(sed -n 's/^paused=//p' "$tmp/counters")
  completed=$(sed -n 's/^completed=//p' "$tmp/counters")
  [[ ${paused:-0} -gt 0 ]] || { echo "FAIL: no job paused"; exit 1; }
  [[ ${completed:-0} -gt 0 ]] || { echo "FAIL: no request completed"; exit 1; }
  ;;
dgst)
  head -c 100000 /dev/urandom >"$tmp/data"
  want=$(sha256sum "$tmp/data" | cut -d' ' -f1)
  got=$("$openssl" dgst "${prov[@]}" -sha256 -r "$tmp/data" | cut -d' ' -f1)
  echo "sha256sum: $want"
  echo "openssl:   $got"
  [[ $got == "$want" ]] || { echo "FAIL: digests differ"; exit 1; }
  # dgst honours the query: a mandatory provider=fakeaccel answers the same
  # with fakeaccel loaded, and fails without it.
  got=$("$openssl" dgst -provider-path "$dir" -provider fakeaccel -provider default \
    -propquery 'provider=fakeaccel' -sha256 -r "$tmp/data" | cut -d' ' -f1)
  [[ $got == "$want" ]] || { echo "FAIL: provider=fakeaccel gave $got"; exit 1; }
  if "$openssl" dgst -provider default -propquery 'provider=fakeaccel' -sha256 "$tmp/data" >/dev/null 2>&1; then
    echo "FAIL: dgst ignored -propquery (provider=fakeaccel without fakeaccel succeeded)"; exit 1
  fi
  ;;
s_server)
  handshakes=3
  # fakeaccel is loaded first: it generates the key (the default provider's
  # encoder writes it) and, asked to, signs the certificate.
  timeout 30 "$openssl" genpkey "${load[@]}" -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/key.pem"
  FAKEACCEL_COUNTERS=$tmp/req.counters timeout 30 "$openssl" req "${prov[@]}" -new -x509 -key "$tmp/key.pem" \
    -subj /CN=fakeaccel -days 1 -out "$tmp/cert.pem"
  [[ $(counter signatures "$tmp/req.counters") -eq 1 ]] || { echo "FAIL: the certificate was not signed by fakeaccel"; exit 1; }
  # s_server stops at EOF on stdin: give it a FIFO this shell holds open.
  mkfifo "$tmp/stdin"
  exec 3<>"$tmp/stdin"
  port=
  for attempt in 1 2 3 4 5; do
    candidate=$((20000 + RANDOM % 40000))
    FAKEACCEL_COUNTERS=$tmp/server.counters timeout 60 "$openssl" s_server "${load[@]}" -async \
      -accept "127.0.0.1:$candidate" -naccept "$handshakes" -cert "$tmp/cert.pem" -key "$tmp/key.pem" -tls1_3 \
      <"$tmp/stdin" >"$tmp/server.out" 2>&1 &
    server_pid=$!
    # Listening ("ACCEPT"), or gone (the port was taken: try another).
    for _ in $(seq 100); do
      grep -q '^ACCEPT' "$tmp/server.out" && break
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if grep -q '^ACCEPT' "$tmp/server.out"; then port=$candidate; break; fi
    cat "$tmp/server.out"
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" || true
    server_pid=
  done
  [[ -n $port ]] || { echo "FAIL: s_server did not start listening"; exit 1; }
  for i in $(seq "$handshakes"); do
    timeout 20 "$openssl" s_client -connect "127.0.0.1:$port" -tls1_3 -CAfile "$tmp/cert.pem" -verify_return_error \
      -brief </dev/null >"$tmp/client.$i" 2>&1 || { cat "$tmp/client.$i"; echo "FAIL: s_client $i exited $?"; exit 1; }
    for line in 'Protocol version: TLSv1.3' 'Verification: OK' 'Signature type: ECDSA'; do
      grep -q "^$line" "$tmp/client.$i" || { cat "$tmp/client.$i"; echo "FAIL: s_client $i: no '$line'"; exit 1; }
    done
  done
  cat "$tmp/client.1"
  rc=0
  wait "$server_pid" || rc=$?
  server_pid=
  exec 3>&-
  [[ $rc -eq 0 ]] || { cat "$tmp/server.out"; echo "FAIL: s_server exited $rc (124: still running after 60 s)"; exit 1; }
  # The server's side of each handshake (it prints no WANT_ASYNC: while a
  # job waits it calls SSL_accept again at once, so most resumes find the
  # device not done yet and count as spurious).
  grep -E '^(ACCEPT|Supported groups|CIPHER is|CONNECTION CLOSED)' "$tmp/server.out"
  [[ $(grep -c '^CIPHER is' "$tmp/server.out") -eq $handshakes ]] || { echo "FAIL: s_server did not finish $handshakes handshakes"; exit 1; }
  cat "$tmp/server.counters"
  paused=$(counter paused "$tmp/server.counters")
  signatures=$(counter signatures "$tmp/server.counters")
  echo "handshakes=$handshakes paused=$paused signatures=$signatures"
  [[ ${paused:-0} -ge $handshakes ]] || { echo "FAIL: the server's jobs did not pause on the device"; exit 1; }
  [[ ${signatures:-0} -eq $handshakes ]] || { echo "FAIL: not one fakeaccel signature per handshake"; exit 1; }
  [[ $(counter timeouts "$tmp/server.counters") -eq 0 ]] || { echo "FAIL: offload timeouts"; exit 1; }
  [[ $(counter open_fds "$tmp/server.counters") -eq 0 ]] || { echo "FAIL: a device fd left open"; exit 1; }
  ;;
*) echo "usage: $0 speed|dgst|s_server OPENSSL PROVIDER_DIR" >&2; exit 2 ;;
esac
