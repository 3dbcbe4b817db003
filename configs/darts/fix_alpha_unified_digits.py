# The fix-alpha variant of DARTS-PT (Wang et al., ICLR'21) on the unified space, digits: alpha
# frozen at zero (a uniform softmax per sub-block), only the weights trained (no held-out alpha
# steps), then the same perturbation selection as darts_unified_digits.py.
#   python tools/train.py configs/darts/fix_alpha_unified_digits.py
#   python tools/search.py configs/darts/fix_alpha_unified_digits.py \
#       work_dirs/fix_alpha_unified_digits/epoch_6.pth [--resume]
_base_ = ['./darts_unified_digits.py']
model = dict(fix_alpha=True)
optim_wrapper = dict(_delete_=True, constructor='DartsOptimWrapperConstructor',
                     weights={{_base_.optim_wrapper.weights}})
param_scheduler = dict(_delete_=True, weights={{_base_.param_scheduler.weights}})
train_cfg = dict(arch_dataloader=None)
