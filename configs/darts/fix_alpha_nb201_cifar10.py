# fix-alpha + DARTS-PT on NAS-Bench-201, CIFAR-10 (GPU): alpha frozen uniform, weights only on
# the first half of the training set, then the perturbation selection of darts_nb201_cifar10.py.
#   bash tools/dist_train.sh configs/darts/fix_alpha_nb201_cifar10.py 1
#   python tools/search.py configs/darts/fix_alpha_nb201_cifar10.py \
#       work_dirs/fix_alpha_nb201_cifar10/epoch_50.pth
_base_ = ['./darts_nb201_cifar10.py']
model = dict(fix_alpha=True)
optim_wrapper = dict(_delete_=True, constructor='DartsOptimWrapperConstructor',
                     weights={{_base_.optim_wrapper.weights}})
param_scheduler = dict(_delete_=True, weights={{_base_.param_scheduler.weights}})
train_cfg = dict(arch_dataloader=None)
