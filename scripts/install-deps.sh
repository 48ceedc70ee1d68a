#!/usr/bin/env bash
# Installs what Cellwise needs, once; does nothing when it is present.
#   scripts/install-deps.sh             Debian packages for building and running
#   scripts/install-deps.sh --notebook  also Jupyter and matplotlib (PyPI) in .build/notebook-venv,
#                                       for the test that executes an exported notebook
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev zlib1g-dev pkg-config dataset-fashion-mnist gzip)
[ "${1:-}" = "--notebook" ] && packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "error: missing Debian packages ${missing[*]}; run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--notebook" ]; then
  venv=.build/notebook-venv
  pinned='import importlib.metadata as m, sys; sys.exit(m.version("nbconvert") != "7.17.2")'
  if [ ! -x "$venv/bin/jupyter-nbconvert" ] || ! "$venv/bin/python" -c "$pinned" 2>/dev/null; then
    echo "installing Jupyter (nbconvert, ipykernel) and matplotlib into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check nbconvert==7.17.2 ipykernel==7.4.0 matplotlib==3.11.2
  fi
fi
