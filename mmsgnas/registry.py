"""mmsgnas registries: children of mmengine's root registries under the scope ``mmsgnas``.

Each registry names the modules that fill it (``locations=``), so a config needs no
``custom_imports``: with ``default_scope='mmsgnas'`` the runner imports this module, and from an
mmpretrain or mmdet config a type ``'mmsgnas.UnifiedSupernet'`` makes mmengine import it.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMENGINE_MODELS, scope='mmsgnas', locations=['mmsgnas.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, scope='mmsgnas',
                          locations=['mmsgnas.models'])
TASK_UTILS = Registry('task util', parent=MMENGINE_TASK_UTILS, scope='mmsgnas',
                      locations=['mmsgnas.models'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope='mmsgnas',
                    locations=['mmsgnas.datasets'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, scope='mmsgnas',
                      locations=['mmsgnas.datasets'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, scope='mmsgnas', locations=['mmsgnas.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='mmsgnas', locations=['mmsgnas.engine'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, scope='mmsgnas',
                   locations=['mmsgnas.evaluation'])
#: search spaces (mmsgnas.space): the SGNAS unified space, NAS-Bench-201
SPACES = Registry('search space', scope='mmsgnas', locations=['mmsgnas.space'])
#: scorers of single architectures for the search loops: on a supernet, or by benchmark query
ARCH_EVALUATORS = Registry('architecture evaluator', scope='mmsgnas',
                           locations=['mmsgnas.evaluation', 'mmsgnas.benchmarks'])
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR, scope='mmsgnas',
                     locations=['mmsgnas.evaluation'])
