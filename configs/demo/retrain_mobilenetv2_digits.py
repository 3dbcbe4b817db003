# The baseline of the transfer comparison (paper Table 4) on the digits set (CPU): mmpretrain's
# MobileNetV2, widened so that its backbone FLOPs at the 128x128 detection input are within 10 %
# of the searched backbone's in configs/demo/retinanet_digits.py (widen 0.55: 30.8 MFLOPs against
# 33.8 for configs/subnets/digits_example_8.5M.yaml; `python tools/analysis/get_flops.py
# configs/demo/retinanet_mobilenetv2_digits.py --shape 128 128`), pretrained with the recipe of
# configs/demo/retrain_digits.py (configs/_base_/schedules/retrain_digits_20e.py, dropout 0.2,
# label smoothing 0.1; tests/test_transfer_recipes.py holds the two equal). Its own activation (ReLU6)
# and no SE: it is the stock network, with the one change the searched classifier has too: a
# stride-1 stem at 32x32 (mmsgnas.MobileNetV2WithStemStride says why; the detector uses
# mmpretrain's stride 2 at 128x128).
#   python tools/train.py configs/demo/retrain_mobilenetv2_digits.py
#   python tools/test.py configs/demo/retrain_mobilenetv2_digits.py \
#       work_dirs/retrain_mobilenetv2_digits/epoch_20.pth
_base_ = [
    'mmpretrain::_base_/models/mobilenet_v2_1x.py',
    '../_base_/schedules/retrain_digits_20e.py',
]

model = dict(
    type='mmpretrain.ImageClassifier',
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    # stride-1 stem at 32x32, as the searched classifier (the detector has mmpretrain's stride 2)
    backbone=dict(type='mmsgnas.MobileNetV2WithStemStride', widen_factor=0.55, stem_stride=1),
    head=dict(
        _delete_=True,
        type='mmsgnas.DropoutLinearClsHead',
        num_classes=10,
        in_channels=1280,
        dropout_rate=0.2,
        loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, )))
