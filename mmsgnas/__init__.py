"""mmsgnas: SGNAS on the OpenMMLab stack."""
__version__ = '0.1.0'
