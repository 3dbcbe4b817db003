# The digits classification set (tools/data/make_digits_imagenet.py) in ImageNet format:
# 32x32 RGB scans of handwritten digits, train / val / test splits, 10 classes.
dataset_type = 'ImageNet'
data_root = 'data/digits'
classes = tuple(str(digit) for digit in range(10))
data_preprocessor = dict(
    num_classes=10, mean=[78.0, 78.0, 78.0], std=[81.0, 81.0, 81.0], to_rgb=False)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=2),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 classes=classes, pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
    persistent_workers=False)
val_dataloader = dict(
    batch_size=128,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='val',
                 classes=classes, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
    persistent_workers=False)
val_evaluator = dict(type='Accuracy', topk=(1, ))
# The test split is never seen by supernet or generator training.
test_dataloader = dict(
    batch_size=128,
    num_workers=0,
    dataset=dict(type='CustomDataset', data_root=data_root, data_prefix='test',
                 ann_file='meta/test.txt', classes=classes,
                 pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
    persistent_workers=False)
test_evaluator = val_evaluator
