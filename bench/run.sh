#!/usr/bin/env bash
# `make bench`: builds osp and osp-bench (release), installs the peer mock (npm), starts
# osp serve (temp data dir, pinned date), the echo baseline and the peer mock on 127.0.0.1,
# runs each transport mode against each, then replay, scale and start-up, and writes
# bench/RESULTS.md. Every load run is bounded in time and count; only loopback is used.
# Knobs (environment): DUUR (s per load run, 6), CONNS (8), NIEUW_CONNS (8), SCALE (stands, 200000),
# REPLAY (steps, 100000), PERSONEN (proef-BRP size, 150000). SCALE defaults to 1,000,000.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DUUR=${DUUR:-6}
CONNS=${CONNS:-8}
NIEUW_CONNS=${NIEUW_CONNS:-8}
SCALE=${SCALE:-1000000}
REPLAY=${REPLAY:-100000}
PERSONEN=${PERSONEN:-150000}
CARGO=${CARGO:-cargo}

$CARGO build --release -p osp-cli -p osp-bench
# The peer mock runs on Node.js; install it like scripts/deps.sh installs the build's packages.
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing nodejs npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  else
    echo "make bench needs Node.js and npm for the peer mock (install them with: sudo apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
OSP=$ROOT/target/release/osp
BENCH=$ROOT/target/release/osp-bench
(cd bench/peer && npm install --no-audit --no-fund --silent)

W=$(mktemp -d /tmp/osp-bench.XXXXXX)
R=$W/results
mkdir -p "$R"
PIDS=()
stop() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT
CMDS=$R/commands.txt
log() { echo "$*" | sed "s#$W#\$W#g; s#$ROOT/##g" >> "$CMDS"; "$@"; }

echo "# W=$(echo "$W") (temporary), run from the repository root" > "$CMDS"
log "$OSP" certs init --dir "$W/certs" >/dev/null
log "$BENCH" referentie --bron fixtures/reference --uit "$W/ref" --personen "$PERSONEN"

OSP_LOG=warn "$OSP" serve --data "$W/data" --certs "$W/certs" --reference "$W/ref" \
  --listen 127.0.0.1:18443 --admin-listen 127.0.0.1:18444 --today 2025-10-01 >/dev/null &
PIDS+=($!)
echo "OSP_LOG=warn osp serve --data \$W/data --certs \$W/certs --reference \$W/ref --listen 127.0.0.1:18443 --admin-listen 127.0.0.1:18444 --today 2025-10-01 &" >> "$CMDS"
"$BENCH" echo --certs "$W/certs" --listen 127.0.0.1:18453 >/dev/null &
PIDS+=($!)
echo "osp-bench echo --certs \$W/certs --listen 127.0.0.1:18453 &" >> "$CMDS"
node bench/peer/server.js --certs "$W/certs" --wsdl wsdl --port 18463 >/dev/null &
PIDS+=($!)
echo "node bench/peer/server.js --certs \$W/certs --wsdl wsdl --port 18463 &" >> "$CMDS"
for p in 18443 18453 18463; do "$BENCH" wacht --port $p --certs "$W/certs" --max 120; done

OSP_URL=https://localhost:18443/vo-webservices/
ECHO_URL=https://localhost:18453/vo-webservices/
PEER_URL=https://localhost:18463/vo-webservices/DUO_VOAanlevering_InschrijvingVO_V1
COMMON=(--certs "$W/certs" --referentie "$W/ref" --duur "$DUUR")
OSPMAX=(--max 40000)
BASEMAX=(--max 120000)

# Warm-up, not reported: the first seconds of a fresh osp (first sled segments, blocking-pool
# threads, page cache) are not the steady state the table compares. Persons 120000.. are its own.
"$BENCH" load --doel osp --url $OSP_URL --certs "$W/certs" --referentie "$W/ref" --duur 3 --max 30000 --modus keep-alive --verbindingen "$CONNS" --run 99 --personen-vanaf 120000 --controleer-elke 0 >/dev/null
echo "osp-bench load --doel osp (warm-up, 3 s, persons 120000.., not reported)" >> "$CMDS"
# Each osp run uses its own range of persons; echo and peer store nothing, so they reuse them.
log "$BENCH" load --doel osp  --url $OSP_URL  "${COMMON[@]}" "${OSPMAX[@]}" --modus keep-alive --verbindingen "$CONNS" --run 1 --personen-vanaf 0 --controleer-elke 25 --json "$R/osp-keep-alive.json"
log "$BENCH" load --doel echo --url $ECHO_URL "${COMMON[@]}" "${BASEMAX[@]}" --controleer-elke 25 --modus keep-alive --verbindingen "$CONNS" --run 2 --json "$R/echo-keep-alive.json"
log "$BENCH" load --doel peer --url $PEER_URL "${COMMON[@]}" "${BASEMAX[@]}" --controleer-elke 25 --modus keep-alive --verbindingen "$CONNS" --run 3 --json "$R/peer-keep-alive.json"
# The gateway's own latency histogram around the ½-max run: server time without the generator.
curl -s http://127.0.0.1:18444/metrics > "$R/metrics-voor-half.txt" || true
log "$BENCH" load --doel osp  --url $OSP_URL  "${COMMON[@]}" "${OSPMAX[@]}" --modus keep-alive --verbindingen "$CONNS" --run 4 --personen-vanaf 40000 --controleer-elke 25 --rate-van "$R/osp-keep-alive.json" --factor 0.5 --json "$R/osp-half.json"
curl -s http://127.0.0.1:18444/metrics > "$R/metrics-na-half.txt" || true
log "$BENCH" load --doel osp  --url $OSP_URL  "${COMMON[@]}" "${OSPMAX[@]}" --modus nieuwe-verbinding --verbindingen "$NIEUW_CONNS" --run 5 --personen-vanaf 80000 --controleer-elke 25 --json "$R/osp-nieuwe-verbinding.json"
log "$BENCH" load --doel echo --url $ECHO_URL "${COMMON[@]}" "${BASEMAX[@]}" --controleer-elke 25 --modus nieuwe-verbinding --verbindingen "$NIEUW_CONNS" --run 6 --json "$R/echo-nieuwe-verbinding.json"
log "$BENCH" load --doel peer --url $PEER_URL "${COMMON[@]}" "${BASEMAX[@]}" --controleer-elke 25 --modus nieuwe-verbinding --verbindingen "$NIEUW_CONNS" --run 7 --json "$R/peer-nieuwe-verbinding.json"
stop
PIDS=()

log "$BENCH" replay --stappen "$REPLAY" --referentie "$W/ref" --threads "$(nproc)" --json "$R/replay.json"
# Start-up runs with the repository's reference data (10k proef-BRP persons), so it measures the
# register, not the enlarged benchmark BRP (generating 150k persons alone takes ~0.7 s and ~130 MiB).
log "$BENCH" startup --osp "$OSP" --data "$W/leeg" --referentie fixtures/reference --certs "$W/certs" --duur 0 --json "$R/startup-leeg.json"
log "$BENCH" scale --aantal "$SCALE" --data "$W/groot" --referentie "$W/ref" --threads 32 --json "$R/scale.json"
# First start after the bulk load. The loader stopped cleanly (Register::sluiten), which folds
# sled's log into its start snapshot, as a SIGTERM'd `osp serve` does.
log "$BENCH" startup --osp "$OSP" --data "$W/groot" --referentie fixtures/reference --certs "$W/certs" --duur "$DUUR" --personen-vanaf 0 --run 901 --json "$R/startup-vol.json"
# Restarts of the same register after that SIGTERM (three; the median is reported).
log "$BENCH" startup --osp "$OSP" --data "$W/groot" --referentie fixtures/reference --certs "$W/certs" --duur 0 --herhaal 3 --json "$R/startup-herstart.json"
# A crash: DUUR s of deliveries, then SIGKILL; the next start replays what was written since.
log "$BENCH" startup --osp "$OSP" --data "$W/groot" --referentie fixtures/reference --certs "$W/certs" --duur "$DUUR" --personen-vanaf 0 --run 902 --kill --json "$R/startup-crash-load.json"
log "$BENCH" startup --osp "$OSP" --data "$W/groot" --referentie fixtures/reference --certs "$W/certs" --duur 0 --json "$R/startup-na-crash.json"

cp bench/profile.md "$R/profile.md" 2>/dev/null || true
"$BENCH" rapport --dir "$R" --uit bench/RESULTS.md
cat bench/RESULTS.md
# Keep the raw results: `osp-bench rapport --dir target/bench-results --uit bench/RESULTS.md`
# rewrites the report (e.g. after editing bench/profile.md) without re-running.
rm -rf target/bench-results && cp -r "$R" target/bench-results
rm -rf "$W"
