"""mmsgnas: SGNAS on the OpenMMLab stack.

Importing the package makes every checkpoint load of mmengine (resume, load_from, init_cfg
Pretrained) keep torch's weights_only=True with a small allow-list (mmsgnas.utils.safe_checkpoint).
"""
from .utils.safe_checkpoint import install_safe_checkpoint_loading

__version__ = '0.1.0'

install_safe_checkpoint_loading()
