"""What machine a measurement ran on."""
import platform


def cpu_name() -> str:
    """The CPU model (from /proc/cpuinfo where there is one)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


#: environment variables that change which CPU kernels run, and so the float results of a seed
NUMERICS_ENV = ('OMP_NUM_THREADS', 'ATEN_CPU_CAPABILITY', 'ONEDNN_MAX_CPU_ISA', 'DNNL_MAX_CPU_ISA',
                'MKL_CBWR', 'MKL_ENABLE_INSTRUCTIONS')


def numerics_summary() -> str:
    """One line on what decides a CPU run's float results besides the seed: the CPU model, the
    torch intra-op thread count, the kernel level ATen dispatches to (DEFAULT / AVX2 / AVX512),
    and any variable of :data:`NUMERICS_ENV` that is set. Two CPU runs of one seed agree bit for
    bit only when this line agrees (and the software does)."""
    import os

    import torch
    pinned = [f'{name}={os.environ[name]}' for name in NUMERICS_ENV if name in os.environ]
    return (f'machine: {cpu_name()}, {os.cpu_count()} logical CPUs; torch {torch.__version__}, '
            f'{torch.get_num_threads()} intra-op threads, CPU kernels '
            f'{torch.backends.cpu.get_cpu_capability()}; '
            + (', '.join(pinned) if pinned else 'no kernel or thread variable set'))
