# Generator training on ImageNet conditioned on the latency of the user's device instead of FLOPs
# (configs/generator/sgnas_generator_in1k.py otherwise unchanged).
#
# 1. Measure the table on the device the networks will run on, with the batch size and threads
#    they will run with, and nothing else running (a few minutes on a GPU; on a phone-like CPU,
#    e.g. an ARM board with torch installed, run the same command there and copy the JSON back):
#
#      python tools/analysis/build_latency_lut.py configs/latency/generator_latency_in1k.py \
#          --device cuda --batch-size 1                       # a GPU (cuda:N to pick one)
#      python tools/analysis/build_latency_lut.py configs/latency/generator_latency_in1k.py \
#          --device cpu --batch-size 1 --threads 4            # a CPU, 4 threads
#
#    The table records the device, torch version, threads, batch size, input size (224), space and
#    macro; it is written to `latency_table` below (or --out). It times the network of the
#    paper's final models (SE, h-swish: `network` below); change both together.
# 2. Check it against whole networks (mean / max relative error, Pearson):
#      python tools/analysis/check_latency_lut.py configs/latency/generator_latency_in1k.py
# 3. Set constraint_range (ms) inside the span the build prints, then train as usual:
#      bash tools/dist_train.sh configs/latency/generator_latency_in1k.py 8
# 4. Generate for latency targets in ms:
#      python tools/search.py configs/latency/generator_latency_in1k.py CKPT --range 10 20 19
_base_ = ['../generator/sgnas_generator_in1k.py']

latency_table = 'work_dirs/latency/in1k_latency.json'

model = dict(
    cost=dict(type='latency', table=latency_table,
              network=dict(se=True, act_cfg=dict(type='HSwish'))),
    # ms on the measured device: a placeholder to replace by a range inside the table's span
    constraint_range=(10.0, 20.0))
