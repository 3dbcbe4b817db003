#!/usr/bin/env bash
# The main job on the bundled digits data, on a CPU: set-up, data, then each stage through the
# same tools and configs a GPU user runs. A stage whose output exists is skipped, an interrupted
# stage resumes from its last checkpoint, so rerunning this script continues where it stopped.
#
#   bash tools/run_demo.sh        (WORK_DIR=work_dirs/demo by default)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
WORK_DIR="${WORK_DIR:-work_dirs/demo}"
bash tools/setup_env.sh
py=.venv/bin/python
stage() { printf '\n==== %s ====\n' "$*"; }

stage "data: digits classification set (data/digits) and detection set (data/digits_coco)"
$py tools/data/make_digits_imagenet.py --out data/digits
$py tools/data/make_digits_coco.py --out data/digits_coco

stage "1. supernet training (configs/demo/supernet_digits.py)"
supernet_dir="$WORK_DIR/supernet"
if [ -f "$supernet_dir/epoch_60.pth" ]; then
  echo "skipped: $supernet_dir/epoch_60.pth exists"
else
  $py tools/train.py configs/demo/supernet_digits.py --work-dir "$supernet_dir" --resume
fi

stage "supernet check: 20 random subnets with inherited weights (val split)"
$py tools/analysis/eval_random_subnets.py configs/demo/supernet_digits.py \
  "$supernet_dir/epoch_60.pth" --num 20 --out "$supernet_dir/random_subnets.json" \
  --work-dir "$supernet_dir/random_subnets" | grep -E '^(subnet|[0-9]+ random)'
