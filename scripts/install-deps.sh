#!/usr/bin/env bash
# Installs what Cellwise needs, once; does nothing when it is present.
#   scripts/install-deps.sh             Debian packages for building and running
#   scripts/install-deps.sh --python    also, from PyPI into .build/python-venv, what the tests run:
#                                       Jupyter and matplotlib (an exported notebook is executed),
#                                       onnx and onnxruntime (the ONNX Runtime checks), ruff (make lint)
#   scripts/install-deps.sh --bench     into .build/bench-venv: NumPy, JAX and ONNX Runtime for
#                                       scripts/bench/compare_libraries.py (make bench-libraries)
#   scripts/install-deps.sh --torch     into .build/torch-venv: PyTorch, onnx, onnxscript and ONNX
#                                       Runtime, for the checks on real torch.onnx.export output
# The flags combine: scripts/install-deps.sh --python --torch.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev zlib1g-dev pkg-config dataset-fashion-mnist gzip)
[ $# -gt 0 ] && packages+=(python3-venv)
for flag in "$@"; do
  case "$flag" in
    --python | --bench | --torch) ;;
    *) echo "error: unknown option $flag (expected --python, --bench or --torch)" >&2; exit 2 ;;
  esac
done

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

# venv FOLDER PROGRAM PIN...: makes FOLDER a virtual environment with exactly the pinned versions,
# unless it already has them and PROGRAM.
venv() {
  local folder=$1 program=$2
  shift 2
  local check='import importlib.metadata as m, sys; sys.exit(any(m.version(p.split("==")[0]) != p.split("==")[1] for p in sys.argv[1:]))'
  if [ ! -x "$folder/bin/$program" ] || ! "$folder/bin/python" -c "$check" "$@" 2>/dev/null; then
    echo "installing $* into $folder" >&2
    python3 -m venv "$folder"
    "$folder/bin/pip" install --quiet --disable-pip-version-check "$@"
  fi
}

for flag in "$@"; do
  case "$flag" in
    --python)
      venv .build/python-venv jupyter-nbconvert nbconvert==7.17.2 ipykernel==7.4.0 matplotlib==3.11.2 numpy==2.4.6 \
        onnx==1.23.2 onnxruntime==1.32.0 scipy==1.17.1 statsmodels==0.15.0 ray==2.60.0 ruff==0.17.6 ;;
    --bench)
      venv .build/bench-venv python numpy==2.4.6 jax==0.10.2 jaxlib==0.10.2 onnxruntime==1.32.0 ;;
    --torch)
      # PyPI's torch is the CUDA build (about 5.5 GB with its CUDA libraries); it runs on the CPU here.
      venv .build/torch-venv python torch==2.15.0 onnx==1.23.2 onnxscript==0.7.2 onnxruntime==1.32.0 numpy==2.4.6 ;;
  esac
done
