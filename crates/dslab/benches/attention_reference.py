"""numpy reference timing for scaled dot-product attention, float32 like burn-ndarray.

Prints one line: `numpy <median seconds> <repeats>`. Called by examples/bench_attention.rs.
"""

import sys
import time

import numpy as np

b, h, s, d = (int(x) for x in sys.argv[1:5]) if len(sys.argv) >= 5 else (64, 8, 41, 64)
repeats = int(sys.argv[5]) if len(sys.argv) >= 6 else 50
rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal((b, h, s, d), dtype=np.float32) for _ in range(3))


def attention(q, k, v):
    logits = q @ np.swapaxes(k, -1, -2) / np.float32(np.sqrt(d))
    logits -= logits.max(axis=-1, keepdims=True)
    w = np.exp(logits)
    w /= w.sum(axis=-1, keepdims=True)
    return w @ v, w


attention(q, k, v)  # warm-up
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    attention(q, k, v)
    times.append(time.perf_counter() - t0)
times.sort()
print(f"numpy {times[len(times) // 2]:.6f} {repeats} threads={np.__config__.CONFIG.get('Build Dependencies', {}).get('blas', {}).get('name', '?')}")
