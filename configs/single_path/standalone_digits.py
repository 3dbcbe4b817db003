# The stand-alone network of one architecture with everything else of single_path_digits.py (its
# macro, data, loss, optimiser and schedule): the reference of the search-step benchmark
#   python tools/analysis/benchmark_train_step.py configs/single_path/single_path_digits.py \
#       configs/single_path/standalone_digits.py --variant single_path_cost_on model.cost.delay_epochs=0
# and a plain (no SE, ReLU) training of an architecture:
#   python tools/train.py configs/single_path/standalone_digits.py --cfg-options model.backbone.subnet=SUBNET.yaml
_base_ = ['./single_path_digits.py']
subnet = 'configs/subnets/digits_example_8.5M.yaml'   # a mid-size architecture (8.5 MFLOPs at 32x32)
model = dict(
    _delete_=True,
    type='mmpretrain.ImageClassifier',
    backbone=dict(
        type='mmsgnas.SearchedMobileNet',
        subnet=subnet,
        macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256),
        out_indices=(-1, )),
    # the search's own neck and head (label smoothing 0.1)
    neck={{_base_.model.neck}},
    head={{_base_.model.head}})
optim_wrapper = dict(paramwise_cfg=dict(_delete_=True, norm_decay_mult=0.0))
val_cfg = dict()
val_evaluator = dict(type='Accuracy', topk=(1, ))
custom_hooks = [dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
model_wrapper_cfg = dict(_delete_=True, type='MMDistributedDataParallel')
