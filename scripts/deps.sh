#!/usr/bin/env bash
# Installs the system packages osp needs to build and test; idempotent and quiet when present.
# As root it uses apt-get; otherwise it names the missing packages in one line and fails.
set -euo pipefail
PKGS=(libxml2-dev libclang-dev clang libxml2-utils pkg-config curl)
# The interop test needs a Python with venv + ensurepip (python3-venv on Debian's python3).
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then PKGS+=(python3 python3-venv); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "osp needs these system packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
command -v cargo >/dev/null || { echo "osp needs a Rust toolchain (cargo) on PATH: https://rustup.rs" >&2; exit 1; }
