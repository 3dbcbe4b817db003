"""Registering mmsgnas's modules and making it the default scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmsgnas module that registers something, and optionally make ``mmsgnas`` the
    default scope (as mmdet's and mmpretrain's functions of the same name do)."""
    import mmsgnas.datasets  # noqa: F401
    import mmsgnas.engine  # noqa: F401
    import mmsgnas.evaluation  # noqa: F401
    import mmsgnas.models  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance('mmsgnas', scope_name='mmsgnas')
    elif current.scope_name != 'mmsgnas':
        warnings.warn(f'The current default scope "{current.scope_name}" is not "mmsgnas"; '
                      '`register_all_modules` makes a new default scope "mmsgnas".')
        name = f'mmsgnas-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='mmsgnas')
