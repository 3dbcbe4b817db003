# Fashion-MNIST (tools/data/make_fashion_mnist.py): 28x28 grey product photos, 10 classes, held in
# memory and given to the models as 3-channel 28x28 images (not padded to 32).
#   train: 50,000 official training images (supernet training)
#   val:   the other 10,000 training images, 1,000 per class (generator training, search scoring)
#   test:  the official 10,000 test images, only for reporting
dataset_type = 'mmsgnas.FashionMNISTSplit'
data_root = 'data/fashion_mnist'
classes = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
           'Bag', 'Ankle boot')
# Pixel mean / std (0..255) of the train split, from data/fashion_mnist/meta/split.json.
data_preprocessor = dict(
    num_classes=10, mean=[72.94, 72.94, 72.94], std=[90.03, 90.03, 90.03], to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
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
# The test split is never seen by supernet or generator training, nor by the search.
test_dataloader = dict(
    batch_size=128,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='test',
                 classes=classes, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
    persistent_workers=False)
test_evaluator = val_evaluator
