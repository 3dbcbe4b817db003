# The fix-alpha variant of DARTS-PT on NAS-Bench-201, digits: alpha frozen uniform, weights only,
# then the perturbation selection of darts_nb201_digits.py.
#   python tools/train.py configs/darts/fix_alpha_nb201_digits.py
#   python tools/search.py configs/darts/fix_alpha_nb201_digits.py \
#       work_dirs/fix_alpha_nb201_digits/epoch_20.pth [--resume]
_base_ = ['./darts_nb201_digits.py']
model = dict(fix_alpha=True)
optim_wrapper = dict(_delete_=True, constructor='DartsOptimWrapperConstructor',
                     weights={{_base_.optim_wrapper.weights}})
param_scheduler = dict(_delete_=True, weights={{_base_.param_scheduler.weights}})
train_cfg = dict(arch_dataloader=None)
