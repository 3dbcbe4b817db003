#!/usr/bin/env bash
# The main job on the bundled digits data, on a CPU: set-up, data, then each SGNAS stage through
# the same tools and configs a GPU user runs, and a report (work_dirs/demo/report/report.md).
# A stage whose output exists is skipped and an interrupted training resumes from its last
# checkpoint, so rerunning this script continues where it stopped.
#
#   bash tools/run_demo.sh
#
# Environment: WORK_DIR (default work_dirs/demo); DEMO_QUICK=1 runs every stage on a very short
# schedule (a smoke test of the whole pipeline in a few minutes; its numbers mean nothing);
# MMSGNAS_SKIP_SETUP=1 uses the existing .venv as it is.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
WORK_DIR="${WORK_DIR:-work_dirs/demo}"
[ "${MMSGNAS_SKIP_SETUP:-0}" = 1 ] || bash tools/setup_env.sh
py=.venv/bin/python
mkdir -p "$WORK_DIR"
timings="$WORK_DIR/timings.tsv"

# Schedules (the quick ones only exist to test the pipeline).
if [ "${DEMO_QUICK:-0}" = 1 ]; then
  supernet_epochs=2; generator_epochs=2
  budgets=2; seeds="0"; cloud=3; random_samples=4; population=4; generations=2; random_subnets=2
  # and each training on the first few hundred images of its split
  quick_supernet=(train_cfg.max_epochs=2 param_scheduler.1.T_max=1 param_scheduler.1.end=2
                  train_dataloader.dataset.indices=256)
  quick_generator=(train_dataloader.dataset.indices=128)
  quick_retrain=(train_cfg.max_epochs=2 train_dataloader.dataset.indices=256)
  quick_detector=(train_cfg.max_epochs=1 model.test_cfg.score_thr=0.0
                  train_dataloader.dataset.indices=64)
  nb201_supernet_epochs=2; nb201_generator_epochs=2; nb201_budgets=2; nb201_cloud=3
  nb201_samples=4; query_runs=2; max_queries=30
  quick_nb201_supernet=(train_cfg.max_epochs=2 param_scheduler.0.T_max=2 param_scheduler.0.end=2
                        train_dataloader.dataset.indices=256)
else
  # Sized for <= 30 min on a 2-core CPU. Stage 4 is a check that the harness runs, not a
  # search-quality figure (those come from Fashion-MNIST and NAS-Bench-201, see the README):
  # 3 budgets and 30 candidates per search.
  supernet_epochs=30; generator_epochs=60
  budgets=3; seeds="0"; cloud=15; random_samples=30; population=6; generations=5; random_subnets=10
  quick_supernet=(); quick_generator=(); quick_retrain=(); quick_detector=()
  nb201_supernet_epochs=30; nb201_generator_epochs=20; nb201_budgets=3; nb201_cloud=20
  nb201_samples=30; query_runs=10; max_queries=300
  quick_nb201_supernet=()
fi

stage_start=0
stage() { printf '\n==== %s ====\n' "$*"; stage_name="$*"; stage_start=$(date +%s); }
stage_done() {  # $1: note for the report
  local seconds=$(( $(date +%s) - stage_start ))
  grep -v -F "${stage_name}"$'\t' "$timings" > "$timings.tmp" 2>/dev/null || true
  printf '%s\t%s\t%s\n' "$stage_name" "$seconds" "${1:-}" >> "$timings.tmp"
  mv "$timings.tmp" "$timings"
  echo "---- ${stage_name}: ${seconds} s"
}
epochs_opt() { [ -n "$1" ] && echo "train_cfg.max_epochs=$1" || true; }

stage "data"
$py tools/data/make_digits_imagenet.py --out data/digits
$py tools/data/make_digits_coco.py --out data/digits_coco
stage_done "digits classification and detection sets"

stage "1. supernet training"
supernet_dir="$WORK_DIR/supernet"
supernet_ckpt="$supernet_dir/epoch_${supernet_epochs}.pth"
if [ -f "$supernet_ckpt" ]; then echo "skipped: $supernet_ckpt exists"; note="skipped (done before)"
else
  $py tools/train.py configs/demo/supernet_digits.py --work-dir "$supernet_dir" --resume \
    ${quick_supernet[@]+--cfg-options "${quick_supernet[@]}"}
  note="configs/demo/supernet_digits.py, ${supernet_epochs} epochs"
fi
$py tools/analysis/eval_random_subnets.py configs/demo/supernet_digits.py "$supernet_ckpt" \
  --num "$random_subnets" --out "$supernet_dir/random_subnets.json" \
  --work-dir "$supernet_dir/random_subnets" | grep -E '^(subnet|[0-9]+ random)'
stage_done "$note; then $random_subnets random subnets evaluated"

stage "2. generator training"
generator_dir="$WORK_DIR/generator"
generator_ckpt="$generator_dir/epoch_${generator_epochs}.pth"
if [ -f "$generator_ckpt" ]; then echo "skipped: $generator_ckpt exists"; note="skipped (done before)"
else
  $py tools/train.py configs/demo/generator_digits.py --work-dir "$generator_dir" --resume \
    --cfg-options model.supernet_checkpoint="$supernet_ckpt" train_cfg.max_epochs="$generator_epochs" \
    ${quick_generator[@]+"${quick_generator[@]}"}
  note="configs/demo/generator_digits.py, ${generator_epochs} epochs on the frozen supernet"
fi
stage_done "$note"

stage "3. generation: 19 budgets in one forward pass"
$py tools/search.py configs/demo/generator_digits.py "$generator_ckpt" \
  --range 6.5 10.5 19 --out-dir "$WORK_DIR/generated"
# A RetinaNet config per generated budget and one script that trains them all (not run here: 19
# detectors; the transfer stage below trains the middle budget's).
$py tools/emit_detector_configs.py "$WORK_DIR/generated" --base configs/demo/retinanet_digits.py \
  --work-root "$WORK_DIR/detectors" | tail -n 1
stage_done "tools/search.py --range 6.5 10.5 19; tools/emit_detector_configs.py"

stage "4. baselines: random search and evolution vs the generator"
compare=(tools/analysis/compare_search.py configs/compare/search_digits.py --cfg-options
  comparison.out_dir="$WORK_DIR/compare" comparison.budgets.num="$budgets" comparison.seeds="[$seeds]"
  comparison.cloud.num="$cloud"
  comparison.methods.0.checkpoint="$generator_ckpt"
  comparison.methods.1.checkpoint="$supernet_ckpt" comparison.methods.1.overrides.num_samples="$random_samples"
  comparison.methods.2.checkpoint="$supernet_ckpt" comparison.methods.2.overrides.population_size="$population"
  comparison.methods.2.overrides.num_mutation=$(( population / 2 ))
  comparison.methods.2.overrides.num_crossover=$(( population - population / 2 ))
  comparison.methods.2.overrides.top_k=$(( population / 2 > 1 ? population / 2 : 2 ))
  comparison.methods.2.overrides.max_generations="$generations"
  comparison.methods.3.checkpoint="$supernet_ckpt" comparison.methods.3.overrides.max_queries="$random_samples"
  comparison.judges.0.checkpoint="$supernet_ckpt")
$py "${compare[@]}" | grep -v -E '^[0-9/]+ [0-9:]+ - mmengine' | tail -n 30
stage_done "$budgets budgets, random search of $random_samples, evolution of $population x $generations, WeakNAS of $random_samples queries, seeds $seeds"

stage "5a. retraining a generated network from scratch"
# The generated network of the middle budget and, as the baseline of the transfer comparison,
# mmpretrain's MobileNetV2 at matched detection FLOPs, both with the same recipe (seed 0; the
# 3-seed table is a separate command, see the report). The searched one goes to $WORK_DIR/retrain,
# the baseline to $WORK_DIR/retrain_mobilenetv2.
subnet=$(ls "$WORK_DIR"/generated/subnet_*.yaml | sort | sed -n "$(( ( $(ls "$WORK_DIR"/generated/subnet_*.yaml | wc -l) + 1 ) / 2 ))p")
transfer=(tools/analysis/compare_transfer.py --subnet "$subnet" --seeds 0 --out-dir "$WORK_DIR"
  --dir-format '{stage}{tag}'
  ${quick_retrain[@]+--retrain-options "${quick_retrain[@]}"}
  ${quick_detector[@]+--detector-options "${quick_detector[@]}"})
$py "${transfer[@]}" --retrain-only
stage_done "configs/demo/retrain_digits.py on $(basename "$subnet"); configs/demo/retrain_mobilenetv2_digits.py"

stage "5b. RetinaNet with the searched backbone on digits-COCO"
# Each backbone initialised from its classifier of stage 5a (retinanet, retinanet_mobilenetv2);
# the table: $WORK_DIR/compare_transfer.md.
$py "${transfer[@]}"
stage_done "configs/demo/retinanet_digits.py and configs/demo/retinanet_mobilenetv2_digits.py, from the classifiers of 5a"

stage "6. NAS-Bench-201: query search on the benchmark, SGNAS on its cells"
# Ground truth nobody here produced: random search, REA and WeakNAS by look-up in the benchmark's
# recorded accuracies (selecting by CIFAR-10 validation), then the NAS-Bench-201 cell supernet
# (C=8, N=1) and its generator on digits, their cells judged by the recorded CIFAR-10, CIFAR-100
# and ImageNet16-120 test accuracies (the paper's Fig. 5 at this scale).
nb201_dir="$WORK_DIR/nb201"
$py tools/analysis/query_curves.py configs/nasbench201/query_curves_nb201_fair.py \
  --runs "$query_runs" --out-dir "$nb201_dir/query_curves" \
  --cfg-options query_curves.max_queries="$max_queries" \
  "query_curves.checkpoints=[10,30$( [ "$max_queries" -ge 300 ] && echo ',100,300' )]" | tail -n 12
nb201_supernet="$nb201_dir/supernet/epoch_${nb201_supernet_epochs}.pth"
if [ -f "$nb201_supernet" ]; then echo "skipped: $nb201_supernet exists"
else
  $py tools/train.py configs/nasbench201/supernet_nb201_digits.py --work-dir "$nb201_dir/supernet" \
    --resume ${quick_nb201_supernet[@]+--cfg-options "${quick_nb201_supernet[@]}"}
fi
nb201_generator="$nb201_dir/generator_s0/epoch_${nb201_generator_epochs}.pth"
if [ -f "$nb201_generator" ]; then echo "skipped: $nb201_generator exists"
else
  $py tools/train.py configs/nasbench201/generator_nb201_digits.py \
    --work-dir "$nb201_dir/generator_s0" --resume --cfg-options \
    model.supernet_checkpoint="$nb201_supernet" train_cfg.max_epochs="$nb201_generator_epochs" \
    ${quick_generator[@]+"${quick_generator[@]}"}
fi
nb201_compare=(tools/analysis/compare_search.py configs/compare/nb201_digits.py --cfg-options
  comparison.out_dir="$nb201_dir/compare" comparison.seeds="[0]"
  comparison.budgets.num="$nb201_budgets" comparison.cloud.num="$nb201_cloud"
  comparison.methods.0.checkpoint="$nb201_generator"
  comparison.methods.1.checkpoint="$nb201_supernet"
  comparison.methods.1.overrides.num_samples="$nb201_samples"
  comparison.judges.0.checkpoint="$nb201_supernet")
$py "${nb201_compare[@]}" | grep -v -E '^[0-9/]+ [0-9:]+ - mmengine' | tail -n 20
stage_done "query curves ($query_runs runs x $max_queries queries); configs/nasbench201/supernet_nb201_digits.py ($nb201_supernet_epochs epochs), generator_nb201_digits.py ($nb201_generator_epochs epochs, seed 0); $nb201_budgets budgets"

$py tools/analysis/demo_report.py --work-dir "$WORK_DIR" --compare-command "python ${compare[*]}" \
  --nb201-command "python ${nb201_compare[*]}"
