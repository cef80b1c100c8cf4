"""Anchor for `nnsearch bench --kernel`: the machine's single-thread SGEMM rate through numpy (OpenBLAS).
usage: sgemm.py SIZE [REPEATS]   (run with $ANCHORS_PY from ../shared/anchors/setup.sh; one thread)
Times C = A · B for SIZE × SIZE float32 matrices, 5 products per timing, REPEATS timings (default 7), and prints
one line: sgemm size=N gflops=G (the median timing) blas=NAME."""
import os, sys
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = "1"                   # before numpy loads its BLAS
import time, numpy as np
n = int(sys.argv[1]); repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
rng = np.random.default_rng(0)
a = rng.random((n, n), dtype=np.float32); b = rng.random((n, n), dtype=np.float32)
a @ b                                         # warm up
times = []
for _ in range(repeats):
    t = time.perf_counter()
    for _ in range(5): a @ b
    times.append((time.perf_counter() - t) / 5)
times.sort()
try:
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
except Exception:
    blas = "unknown"
print(f"sgemm size={n} gflops={2 * n ** 3 / times[len(times) // 2] / 1e9:.1f} blas={blas}")
