"""Latency of several forms of one network, measured side by side in one process.

For each batch size, every form first runs ``warmup`` times; then ``repeats`` rounds run each
form once, in an order that rotates every round, so that drift of the machine (other processes,
frequency scaling) falls on all forms alike. The reported figure is the median per form (ms).
"""
import statistics
import time
from typing import Dict, Mapping, Sequence

import torch

from .programs import Form


def measure_latency(forms: Mapping[str, Form], image_shape: Sequence[int],
                    batch_sizes: Sequence[int], warmup: int = 5, repeats: int = 30,
                    seed: int = 0) -> Dict[int, Dict[str, Dict[str, float]]]:
    """{batch size: {form: dict(median_ms, min_ms, p90_ms)}} on random pixel input
    (uniform 0..255, the same tensor for every form)."""
    if repeats < 1 or warmup < 0:
        raise ValueError(f'repeats must be >= 1 and warmup >= 0, got {repeats}, {warmup}')
    names = list(forms)
    generator = torch.Generator().manual_seed(seed)
    results: Dict[int, Dict[str, Dict[str, float]]] = {}
    for batch in batch_sizes:
        x = torch.rand(batch, *image_shape, generator=generator) * 255
        for name in names:
            for _ in range(warmup):
                forms[name](x)
        times: Dict[str, list] = {name: [] for name in names}
        for round_index in range(repeats):
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                start = time.perf_counter()
                forms[name](x)
                times[name].append((time.perf_counter() - start) * 1e3)
        results[int(batch)] = {
            name: dict(median_ms=statistics.median(t), min_ms=min(t),
                       p90_ms=sorted(t)[min(len(t) - 1, int(round(0.9 * (len(t) - 1))))])
            for name, t in times.items()}
    return results
