#!/usr/bin/env bash
# Set up mmsgnas on a fresh machine: a virtual environment at .venv with torch, mmcv (compiled ops,
# built against the installed torch and cached outside the repo), the OpenMMLab stack and mmsgnas.
#
#   bash tools/setup_env.sh            # idempotent; a second run on the same machine takes seconds
#
# Environment knobs:
#   PYTHON=python3.11        interpreter used to create .venv
#   TORCH_SPEC="torch==2.14.1 torchvision==0.29.1"   what to install when .venv has no torch yet
#   MMSGNAS_WHEEL_CACHE=~/.cache/mmsgnas/wheels        where built mmcv wheels are kept
#   FORCE_CUDA=1             build mmcv's CUDA ops even when no GPU is visible (needs nvcc)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.14.1 torchvision==0.29.1}"
MMCV_VERSION=2.1.0   # the one release that both mmdet 3.3.0 (< 2.2.0) and mmpretrain 1.2.0 accept
cache_root="${MMSGNAS_WHEEL_CACHE:-$HOME/.cache/mmsgnas/wheels}"

log() { printf '[setup] %s\n' "$*"; }

if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
py="$repo/.venv/bin/python"
pip() { "$py" -m pip "$@"; }
pip install -q --upgrade "pip>=23.2"
# mmcv's setup.py imports pkg_resources (removed in setuptools 81); torch wants setuptools >= 77.
pip install -q "setuptools>=77,<81" wheel

if "$py" -c "import torch, torchvision" 2>/dev/null; then
  log "keeping the installed torch $("$py" -c 'import torch; print(torch.__version__)')"
else
  log "installing $TORCH_SPEC"
  # shellcheck disable=SC2086
  pip install -q $TORCH_SPEC
fi

# The mmcv wheel is only valid for the torch (and CUDA/CPU flavour) it was compiled against.
read -r torch_version with_cuda cxx_std < <("$py" - <<'PY'
import os, shutil, torch
from torch.utils import cpp_extension
gpu = torch.cuda.is_available() and shutil.which('nvcc') is not None
force = os.environ.get('FORCE_CUDA') == '1'
include = os.path.join(os.path.dirname(torch.__file__), 'include')
# ATen.h refuses to compile below the standard this torch was built for.
with open(os.path.join(include, 'ATen', 'ATen.h'), errors='ignore') as f:
    needs20 = 'C++20 or later' in f.read()
print(torch.__version__.replace('+', '_'), int(gpu or force), 'c++20' if needs20 else 'c++17')
PY
)
flavour=cpu
if [ "$with_cuda" = 1 ]; then
  flavour="cu$("$py" -c 'import torch; print((torch.version.cuda or "none").replace(".", ""))')"
fi
wheel_dir="$cache_root/mmcv-$MMCV_VERSION-torch$torch_version-$flavour"

mmcv_ok() {
  "$py" - <<'PY' 2>/dev/null
import mmcv, torch
from mmcv.ops import nms
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
nms(boxes, torch.tensor([0.9, 0.8]), 0.5)
assert mmcv.__version__ == '2.1.0'
PY
}

if mmcv_ok; then
  log "mmcv $MMCV_VERSION with ops already installed"
else
  if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
    log "building mmcv $MMCV_VERSION ($flavour, $cxx_std) into $wheel_dir (about 10 minutes on 2 cores)"
    build="$(mktemp -d)"
    trap 'rm -rf "$build"' EXIT
    pip download -q --no-deps --no-binary :all: --no-build-isolation -d "$build" "mmcv==$MMCV_VERSION"
    tar -xzf "$build"/mmcv-*.tar.gz -C "$build"
    src="$(find "$build" -maxdepth 1 -type d -name 'mmcv-*' | head -n 1)"
    # mmcv 2.1.0 hard-codes -std=c++17; recent torch headers refuse anything below C++20.
    sed -i "s/-std=c++17/-std=$cxx_std/g" "$src/setup.py"
    export MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}"
    [ "$with_cuda" = 1 ] && export FORCE_CUDA=1
    mkdir -p "$build/out"
    pip wheel -q --no-build-isolation --no-deps --no-cache-dir -w "$build/out" "$src"
    mkdir -p "$wheel_dir"
    mv "$build"/out/mmcv-*.whl "$wheel_dir/"
  else
    log "using the cached mmcv wheel in $wheel_dir"
  fi
  pip install -q --no-deps --force-reinstall "$wheel_dir"/mmcv-*.whl
  pip install -q "mmengine==0.10.7" addict packaging pyyaml yapf opencv-python-headless
  mmcv_ok || { log "mmcv installed but its ops do not run"; exit 1; }
fi

log "installing the OpenMMLab stack and mmsgnas (editable)"
pip install -q -r requirements/runtime.txt
pip install -q --no-build-isolation --no-deps -e .
if [ "${MMSGNAS_WITH_TESTS:-0}" = 1 ]; then
  pip install -q -r requirements/tests.txt
fi
log "done: $("$py" -c 'import torch, mmcv, mmdet, mmpretrain, mmengine, mmsgnas; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmdet {mmdet.__version__}, mmpretrain {mmpretrain.__version__}")')"
