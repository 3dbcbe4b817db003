# Export of a searched digits classifier with a parity check (tools/deploy/export.py): the model,
# data preprocessor and test data of configs/demo/retrain_digits.py (SE, h-swish; a supernet
# checkpoint gets the supernet's blocks instead), and the export settings.
#   python tools/deploy/export.py SUBNET.yaml CHECKPOINT --config configs/deploy/export_digits.py
_base_ = ['../demo/retrain_digits.py']

export = dict(
    device='cpu',
    fold_bn=True,              # BNs folded into the convs before exporting
    preprocess=True,           # input: pixels 0..255; channel order and mean/std inside the graph
    dataloader='test_dataloader',   # the 360 test images
    max_images=None,
    onnx=dict(opset=18),
    # Limits of each exported form against the PyTorch model. float32 logits of these networks
    # differ by about 1e-5 after folding (the reorder of float sums); a wrong folding or weight
    # moves them by 1e-2 or more.
    parity=dict(max_abs_diff=1e-3, mean_abs_diff=1e-4, min_top1_agreement=0.99,
                flops_rel_diff=1e-6),
    latency=dict(batch_sizes=[1, 64], warmup=5, repeats=30, threads=None),
)
