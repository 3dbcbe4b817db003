# The NAS-Bench-201 weight-sharing supernet (benchmark macro C=16, N=5) in an mmpretrain
# ImageClassifier whose training step samples one uniform single path per batch.
model = dict(
    type='mmsgnas.SupernetClassifier',
    paths_per_batch=1,
    eval_subnet=None,
    backbone=dict(type='mmsgnas.NasBench201Supernet', C=16, N=5),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=64,
              loss=dict(type='mmpretrain.CrossEntropyLoss'), topk=(1, )))
# A sampled path leaves most operations unused in each step.
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', broadcast_buffers=False, find_unused_parameters=True)
