# Retraining a searched network from scratch on the digits set (CPU): the backbone options of the
# paper's final models (SE, h-swish, dropout 0.2, label smoothing 0.1) on the digits macro of the
# demo supernet; SGD with cosine decay, 20 epochs (the ImageNet recipe of
# configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py is for 500 epochs).
#   python tools/train.py configs/demo/retrain_digits.py \
#       --cfg-options model.backbone.subnet=work_dirs/demo/generated/subnet_009_8.500M.yaml
#   python tools/test.py configs/demo/retrain_digits.py work_dirs/retrain_digits/epoch_20.pth
_base_ = [
    '../_base_/models/sgnas_subnet_se_hswish.py',
    '../_base_/schedules/retrain_digits_20e.py',
]

subnet = 'configs/subnets/digits_example_8.5M.yaml'

model = dict(
    backbone=dict(subnet=subnet, macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256)),
    head=dict(num_classes=10, in_channels=256, topk=(1, )))
