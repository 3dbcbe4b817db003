# Generator training on the digits supernet conditioned on CPU latency instead of FLOPs: the same
# frozen supernet, generator and training as configs/demo/generator_digits.py, with the cost taken
# from a latency table measured on this machine (2 threads, batch 32 as the digits retrain, 32x32
# input) for the network that configs/demo/retrain_digits.py deploys (SE, h-swish):
#
#   python tools/analysis/build_latency_lut.py configs/latency/generator_latency_digits.py \
#       --device cpu --batch-size 32 --threads 2
#   python tools/analysis/check_latency_lut.py configs/latency/generator_latency_digits.py
#   python tools/train.py configs/latency/generator_latency_digits.py
#   python tools/search.py configs/latency/generator_latency_digits.py \
#       work_dirs/generator_latency_digits/epoch_60.pth --range LOW HIGH 19   # targets in ms
#
# constraint_range is in ms of that table: it must lie inside the span of the space that
# build_latency_lut.py prints (a table measured on another machine spans other numbers; the
# trainer refuses a range outside it). The range below is the 2nd..98th percentile of 10000 random
# architectures under the table measured here (AMD EPYC, 2 threads, 2026-12-02; the space spans
# 45.8..144.9 ms), as the FLOPs config spans its random architectures.
_base_ = ['../demo/generator_digits.py']

latency_table = 'work_dirs/latency/digits_cpu_bs32_t2.json'

model = dict(
    cost=dict(type='latency', table=latency_table,
              network=dict(se=True, act_cfg=dict(type='HSwish'))),
    constraint_range=(64.9, 91.7))
work_dir = 'work_dirs/generator_latency_digits'
