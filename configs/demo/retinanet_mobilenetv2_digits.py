# The baseline of the transfer comparison on digits-COCO (CPU): configs/demo/retinanet_digits.py
# with mmpretrain's MobileNetV2 (widen 0.55) instead of the searched backbone, at matched FLOPs:
# 30.8 MFLOPs against 33.8 for configs/subnets/digits_example_8.5M.yaml at 128x128
# (`python tools/analysis/get_flops.py CONFIG --shape 128 128` on both configs), initialised from
# the classifier of configs/demo/retrain_mobilenetv2_digits.py. It inherits everything but the
# backbone from the digits config (tests/test_transfer_recipes.py checks that nothing else
# differs); both are run side by side, over seeds, by tools/analysis/compare_transfer.py.
#   python tools/train.py configs/demo/retinanet_mobilenetv2_digits.py --cfg-options \
#       model.backbone.init_cfg.checkpoint=work_dirs/retrain_mobilenetv2_digits/epoch_20.pth
#   python tools/test.py configs/demo/retinanet_mobilenetv2_digits.py \
#       work_dirs/retinanet_mobilenetv2_digits/epoch_12.pth
_base_ = ['./retinanet_digits.py']

subnet = None   # no searched network here
backbone_checkpoint = 'work_dirs/retrain_mobilenetv2_digits/epoch_20.pth'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.MobileNetV2',
        widen_factor=0.55,
        out_indices=(2, 4, 6),      # stride 8, 16, 32: 16, 56, 176 channels
        frozen_stages=2,    # conv1, layer1, layer2: as frozen_stages=1 of the searched backbone
        norm_eval=False,    # as the digits config's backbone
        init_cfg=dict(type='Pretrained', checkpoint=backbone_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[16, 56, 176]))
