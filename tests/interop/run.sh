#!/usr/bin/env bash
# Starts a real `osp serve` on free loopback ports and drives it with Python's zeep (a SOAP
# client we did not write). Installs zeep into target/interop-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
OSP=${OSP:-target/debug/osp}
[ -x "$OSP" ] || cargo build -q -p osp-cli
VENV=target/interop-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import zeep" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "zeep==4.3.*" "requests>=2.31"
fi
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(port); A=$(port)
"$OSP" serve --data "$WORK/data" --certs "$WORK/certs" --listen 127.0.0.1:$P --admin-listen 127.0.0.1:$A --today 2025-09-15 >"$WORK/osp.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$A/healthz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/osp.log"; exit 1; }
  sleep 0.1
done
"$VENV/bin/python" tests/interop/zeep_client.py "https://localhost:$P/vo-webservices" "$WORK/certs" || { cat "$WORK/osp.log"; exit 1; }
kill -TERM "$PID"; wait "$PID"
echo "osp exited cleanly after SIGTERM"
