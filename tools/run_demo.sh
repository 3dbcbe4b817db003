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

stage "2. generator training on the frozen supernet (configs/demo/generator_digits.py)"
generator_dir="$WORK_DIR/generator"
if [ -f "$generator_dir/epoch_30.pth" ]; then
  echo "skipped: $generator_dir/epoch_30.pth exists"
else
  $py tools/train.py configs/demo/generator_digits.py --work-dir "$generator_dir" --resume \
    --cfg-options model.supernet_checkpoint="$supernet_dir/epoch_60.pth"
fi

stage "3. architectures for 19 budgets in one forward pass (tools/search.py)"
$py tools/search.py configs/demo/generator_digits.py "$generator_dir/epoch_30.pth" \
  --range 6.5 10.5 19 --out-dir "$WORK_DIR/generated"

stage "generated vs 100 random architectures of similar FLOPs (inherited weights, BN recalibrated, val split)"
$py tools/analysis/generated_vs_random.py configs/demo/generator_digits.py \
  "$generator_dir/epoch_30.pth" --recalibrate 10 --out "$WORK_DIR/generated_vs_random.json" | grep -E '^(target|generated)'
