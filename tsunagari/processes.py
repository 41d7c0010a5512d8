"""How each server process uses the CPU, set before numpy is imported (one place for production and the
benchmarks that measure what production runs)."""

import os


def one_maths_thread_per_process() -> None:
    """One BLAS/OpenMP thread per process: gunicorn runs several processes, and idle BLAS threads would
    compete with the embedding engine for the CPU (benchmarks/navigator.py: 78–118 ms at 10k services
    with the default threads, 34 ms with one). Explicit settings in the environment win."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
