"""mmsgnas: SGNAS (Searching by Generating NAS, CVPR 2021) as an OpenMMLab extension.

Install with ``bash tools/setup_env.sh``: torch and mmcv (with compiled ops) cannot come from plain
``pip install`` on current torch releases, see requirements/runtime.txt.
"""
from setuptools import find_packages, setup


def read_requirements(path: str) -> list:
    with open(path) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


setup(
    name='mmsgnas',
    version='0.1.0',
    description='SGNAS: one-shot NAS with an architecture generator, on mmengine/mmpretrain/mmdet',
    packages=find_packages(exclude=('tests', 'tools', 'configs')),
    # the compact NAS-Bench-201 tables (mmsgnas.benchmarks.NasBench201Table) and their sources
    package_data={'mmsgnas.benchmarks': ['data/*.csv.gz', 'data/NOTICE.md']},
    python_requires='>=3.10',
    # torch and mmcv are deliberately not listed: pip would pick an incompatible prebuilt torch or try
    # to build mmcv in an isolated environment without torch. tools/setup_env.sh installs both.
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={'tests': read_requirements('requirements/tests.txt')},
    zip_safe=False,
)
