"""Measured latency table of the unified MobileNet space on the user's own device.

What is timed: the stand-alone classifier of the space (``space.classifier_cfg``: the searched
backbone, global average pooling, linear classifier), in eval mode without autograd, on a batch of
``batch_size`` random images of ``input_size`` pixels, with ``threads`` CPU threads.

A layer of the stand-alone network (:class:`~mmsgnas.models.ops.MixedKernelMBConv`) is one
pointwise conv C_in -> e*C_in, one depthwise conv on C_in channels per active sub-block, a norm and
activation on the e*C_in channels, the projection e*C_in -> C_out and the residual. A table entry
per distinct kernel multiset (80 per layer) would be too many to time and would not be linear in
the one-hot encoding, so a layer is modelled as the sum of its parts::

    latency(layer) = F(e) + sum over active sub-blocks i of dw(k_i)

``F(e)`` (everything whose work depends on the expansion rate e: pointwise convs, norms,
activations, concatenation, residual) for e = 2..6 and ``dw(k)`` (one depthwise conv of kernel k)
are fitted by least squares to whole-block timings of every (e, uniform kernel k) in the layer's
real context (input shape, stride, channels); ``dw(3)`` is fixed to the time of the lone depthwise
3x3 conv, which only splits the same predictions between F and dw. A few blocks with mixed kernels
are timed too and recorded beside the model's prediction, so the table says how far the parts
model is from a direct measurement.

The sum is linear in the one-hot encoding [L * 6, 4]: sub-block j of a layer is active only when
sub-blocks 0..j-1 are, so its entry for kernel k is ``F(j + 1) - F(j) + dw(k)`` (sub-blocks 0 and 1,
always active, share ``F(2)``), and skip costs 0. It is therefore a :class:`CostTable` (unit 'ms'),
exact for a discrete architecture and the differentiable Cost(alpha) for soft weights. The fixed
parts (stem + first block, head conv + pooling + classifier) are timed alone; ``glue`` is what the
whole network takes beyond the sum of its timed parts, the median over a few calibration networks
timed in the same run as the parts.

Every timing: ``warmup`` calls, then ``repeats`` samples, each the mean of ``number`` calls (chosen
so that a sample lasts at least ``min_sample_ms``), in rounds that rotate the order of the forms
timed together so that drift of the machine falls on all alike; recorded: median, quartiles, min
and max. On CUDA every sample is bracketed by ``torch.cuda.synchronize``.

The JSON file is versioned (:data:`LUT_VERSION`) and records the device, torch version, threads,
batch size, input size, space, macro structure and network options; :func:`load_latency_table`
refuses a file of another version, space, macro, input size or number of classes.
"""
import datetime
import hashlib
import json
import math
import os
import platform
import random
import statistics
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from ..utils.machine import cpu_name
from ..space.spec import KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION, NUM_SUBBLOCKS
from .lut import conv_output_size
from .table import CostTable

LUT_FORMAT = 'mmsgnas-latency-lut'
#: Version of the JSON layout and of the parts model; a file of another version is refused.
LUT_VERSION = 1
EXPANSIONS = tuple(range(MIN_EXPANSION, MAX_EXPANSION + 1))


class LatencyTableError(ValueError):
    """A latency table file that cannot serve the requested space, input size or macro."""


# -- device and timing --------------------------------------------------------------------------
def resolve_device(device: str) -> torch.device:
    """'cpu', 'cuda' or 'cuda:N'; CUDA when it is not available is refused."""
    dev = torch.device(device)
    if dev.type == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError(f'device {device!r} asked for, but CUDA is not available here')
    if dev.type not in ('cpu', 'cuda'):
        raise ValueError(f'device must be cpu or cuda[:N], got {device!r}')
    return dev


def device_description(device: torch.device) -> str:
    """A human description of the device (GPU name, or the CPU model)."""
    if device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    return cpu_name()


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def summarise(samples: Sequence[float], number: int) -> Dict[str, float]:
    """Median, quartiles, min and max (ms) of timing samples."""
    q1, median, q3 = np.percentile(np.asarray(samples, dtype=np.float64), [25, 50, 75]).tolist()
    return dict(median_ms=median, q1_ms=q1, q3_ms=q3, min_ms=float(min(samples)),
                max_ms=float(max(samples)), samples=len(samples), number=int(number))


def time_forms(forms: Mapping[str, Callable[[], Any]], device: torch.device, warmup: int = 10,
               repeats: int = 30, min_sample_ms: float = 2.0,
               on_step: Optional[Callable[[], None]] = None) -> Dict[str, Dict[str, float]]:
    """Time zero-argument callables side by side: {name: summary (ms per call)}.

    Each form runs ``warmup`` times, then its ``number`` (calls per sample) is chosen from one more
    timed call so that a sample lasts about ``min_sample_ms``; then ``repeats`` rounds take one
    sample of every form, in an order that rotates every round. ``on_step`` is called once after
    the warm-up and once after every round (``repeats + 1`` calls: a progress bar)."""
    if repeats < 1 or warmup < 0:
        raise ValueError(f'repeats must be >= 1 and warmup >= 0, got {repeats}, {warmup}')
    names = list(forms)
    numbers = {}
    with torch.inference_mode():
        for name in names:
            for _ in range(warmup):
                forms[name]()
            _sync(device)
            start = time.perf_counter()
            forms[name]()
            _sync(device)
            once = (time.perf_counter() - start) * 1e3
            numbers[name] = max(1, int(math.ceil(min_sample_ms / max(once, 1e-6))))
        if on_step is not None:
            on_step()
        samples: Dict[str, List[float]] = {name: [] for name in names}
        for round_index in range(repeats):
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                number, form = numbers[name], forms[name]
                _sync(device)
                start = time.perf_counter()
                for _ in range(number):
                    form()
                _sync(device)
                samples[name].append((time.perf_counter() - start) * 1e3 / number)
            if on_step is not None:
                on_step()
    return {name: summarise(samples[name], numbers[name]) for name in names}


# -- what is measured ---------------------------------------------------------------------------
def network_settings(network: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Backbone options of the timed stand-alone network (``se``, ``act_cfg``, ``norm_cfg``)."""
    network = dict(network or {})
    unknown = set(network) - {'se', 'act_cfg', 'norm_cfg', 'conv_cfg'}
    if unknown:
        raise ValueError(f'network options {sorted(unknown)} are not timed by the latency table; '
                         'allowed: se, act_cfg, norm_cfg, conv_cfg')
    return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in sorted(network.items())}


def context_settings(space, input_size: int, num_classes: int,
                     network: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """What a table is only valid for: space name and macro structure, input size, classes,
    network options (the kernel order of the space changes no network, so it is not part)."""
    settings = space.settings()
    return dict(space=settings['space'], macro=settings['macro'], input_size=int(input_size),
                num_classes=int(num_classes), network=network_settings(network))


def fingerprint(context: Mapping[str, Any]) -> str:
    text = json.dumps(context, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def layer_contexts(space, input_size: int) -> List[Dict[str, int]]:
    """Per searchable layer: channels, stride and the spatial size of its input."""
    macro = space.macro
    size = conv_output_size(input_size, macro.stem_stride)
    out = []
    for spec in macro.layers:
        out.append(dict(in_channels=spec.in_channels, out_channels=spec.out_channels,
                        stride=spec.stride, input_hw=size))
        size = conv_output_size(size, spec.stride)
    return out


def build_network(space, arch, num_classes: int, network: Optional[Mapping[str, Any]] = None,
                  device: Optional[torch.device] = None) -> torch.nn.Module:
    """The stand-alone classifier of ``arch`` in eval mode on ``device``."""
    from ..models import build_standalone_classifier
    model = build_standalone_classifier(space, arch, num_classes, **network_settings(network))
    return model.to(device or torch.device('cpu')).eval()


def build_block(context: Mapping[str, int], kernels: Sequence[int],
                network: Optional[Mapping[str, Any]], device: torch.device) -> torch.nn.Module:
    """The stand-alone block of one layer with the given kernels, eval mode, on ``device``."""
    from ..models.ops import MixedKernelMBConv
    opts = network_settings(network)
    block = MixedKernelMBConv(context['in_channels'], context['out_channels'], context['stride'],
                              kernels, se=bool(opts.get('se', False)),
                              conv_cfg=opts.get('conv_cfg'), norm_cfg=opts.get('norm_cfg'),
                              act_cfg=opts.get('act_cfg'))
    return block.to(device).eval()


def whole_network_form(model: torch.nn.Module, x: torch.Tensor) -> Callable[[], Any]:
    return lambda: model(x, mode='tensor')


# -- the parts model ------------------------------------------------------------------------------
def fit_parts(block_ms: Mapping[Tuple[int, int], float], dw3_ms: float) -> Dict[str, Any]:
    """Least-squares fit of T(e, k) = F(e) + e * dw(k) to whole-block timings of every
    (expansion e, uniform kernel k), with dw(3) fixed to ``dw3_ms``.

    Returns dict(expansion={e: F(e)}, depthwise={k: dw(k)}, residual_ms={'e,k': T - model})."""
    kernels = list(KERNEL_SIZES)
    keys = sorted(block_ms)
    # unknowns: G(e) = F(e) + e * dw(3) for each e, and d(k) = dw(k) - dw(3) for k != 3
    num_e, free_k = len(EXPANSIONS), kernels[1:]
    design = np.zeros((len(keys), num_e + len(free_k)))
    target = np.zeros(len(keys))
    for row, (e, k) in enumerate(keys):
        design[row, EXPANSIONS.index(e)] = 1.0
        if k != kernels[0]:
            design[row, num_e + free_k.index(k)] = e
        target[row] = block_ms[(e, k)]
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    depthwise = {kernels[0]: float(dw3_ms)}
    depthwise.update({k: float(dw3_ms + solution[num_e + i]) for i, k in enumerate(free_k)})
    expansion = {e: float(solution[i] - e * dw3_ms) for i, e in enumerate(EXPANSIONS)}
    residual = {f'{e},{k}': float(block_ms[(e, k)] - expansion[e] - e * depthwise[k])
                for e, k in keys}
    return dict(expansion=expansion, depthwise=depthwise, residual_ms=residual)


def layer_from_parts(expansion: Mapping[int, float], depthwise: Mapping[int, float],
                     kernels: Sequence[int]) -> float:
    """Latency of one layer with these kernels under the parts model."""
    return expansion[len(kernels)] + sum(depthwise[k] for k in kernels)


def slot_rows(expansion: Mapping[int, float], depthwise: Mapping[int, float]) -> List[tuple]:
    """The 6 rows [k3, k5, k7, skip] of one layer: sub-block j active with kernel k costs
    F(j + 1) - F(j) + dw(k); sub-blocks 0 and 1 (always active) each carry F(2) / 2."""
    rows = []
    for j in range(NUM_SUBBLOCKS):
        if j < MIN_EXPANSION:
            shared = expansion[MIN_EXPANSION] / MIN_EXPANSION
        else:
            shared = expansion[j + 1] - expansion[j]
        rows.append(tuple(shared + depthwise[k] for k in KERNEL_SIZES) + (0.0,))
    return rows


# -- building ---------------------------------------------------------------------------------------
def _int_keys(mapping: Mapping) -> Dict[int, float]:
    return {int(k): float(v) for k, v in mapping.items()}


def measure_latency_table(space, input_size: int, num_classes: int, batch_size: int = 1,
                          device: str = 'cpu', threads: Optional[int] = None,
                          network: Optional[Mapping[str, Any]] = None, warmup: int = 10,
                          repeats: int = 30, min_sample_ms: float = 2.0, mixed_checks: int = 3,
                          glue_networks: int = 5, seed: int = 0,
                          progress: bool = True) -> Dict[str, Any]:
    """Time the parts of every layer of ``space`` (a :class:`UnifiedSpace`), the fixed parts and
    ``glue_networks`` whole networks, all side by side in one run (one :func:`time_forms`: every
    round takes one sample of every form, so drift of the machine falls on all alike); returns the
    JSON-ready table (see the module docstring). ``threads`` sets ``torch.set_num_threads``
    (None: leave as is) for the whole measurement."""
    dev = resolve_device(device)
    if threads is not None:
        if threads < 1:
            raise ValueError(f'threads must be >= 1, got {threads}')
        torch.set_num_threads(int(threads))
    if batch_size < 1:
        raise ValueError(f'batch size must be >= 1, got {batch_size}')
    network = network_settings(network)
    context = context_settings(space, input_size, num_classes, network)
    rng = random.Random(seed)
    generator = torch.Generator().manual_seed(seed)
    contexts = layer_contexts(space, input_size)
    timing = dict(warmup=warmup, repeats=repeats, min_sample_ms=min_sample_ms)
    forms: Dict[str, Callable[[], Any]] = {}

    def bind(module, x):
        return lambda: module(x)

    # fixed parts, on the modules of a built network (stem and head do not depend on the arch)
    reference = build_network(space, space.sample(random.Random(seed)), num_classes, network, dev)
    backbone = reference.backbone
    images = torch.randn(batch_size, 3, input_size, input_size, generator=generator).to(dev)
    head_in = torch.randn(batch_size, space.macro.layers[-1].out_channels,
                          *_out_hw(contexts[-1]), generator=generator).to(dev)
    forms['stem'] = lambda: backbone.first_block(backbone.stem(images))
    forms['head'] = lambda: reference.head(reference.neck((backbone.head(head_in),)))

    checks: List[List[Tuple[int, ...]]] = []
    for index, ctx in enumerate(contexts):
        x = torch.randn(batch_size, ctx['in_channels'], ctx['input_hw'], ctx['input_hw'],
                        generator=generator).to(dev)
        for e in EXPANSIONS:
            for k in KERNEL_SIZES:
                block = build_block(ctx, (k,) * e, network, dev)
                forms[f'{index}/{e}x{k}'] = bind(block, x)
                if e == MIN_EXPANSION:   # the lone depthwise conv, on the shape it sees inside
                    forms[f'{index}/dw{k}'] = bind(block.depthwise[0], x)
        checks.append([space.sample_layer(rng) for _ in range(mixed_checks)])
        for i, kernels in enumerate(checks[-1]):
            forms[f'{index}/mixed{i}'] = bind(build_block(ctx, kernels, network, dev), x)
    glue_archs = [space.sample(rng) for _ in range(glue_networks)]
    for i, arch in enumerate(glue_archs):
        forms[f'net{i}'] = whole_network_form(
            build_network(space, arch, num_classes, network, dev), images)

    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(repeats + 1)
    stats = time_forms(forms, dev, warmup, repeats, min_sample_ms,
                       on_step=bar.update if bar is not None else None)
    if bar is not None:
        print()

    layers = []
    for index, ctx in enumerate(contexts):
        block_ms = {(e, k): stats[f'{index}/{e}x{k}']['median_ms'] for e in EXPANSIONS
                    for k in KERNEL_SIZES}
        parts = fit_parts(block_ms, stats[f'{index}/dw{KERNEL_SIZES[0]}']['median_ms'])
        layers.append(dict(
            index=index, **ctx,
            blocks={f'{e},{k}': stats[f'{index}/{e}x{k}'] for e in EXPANSIONS
                    for k in KERNEL_SIZES},
            depthwise_alone={str(k): stats[f'{index}/dw{k}'] for k in KERNEL_SIZES},
            expansion={str(e): v for e, v in parts['expansion'].items()},
            depthwise={str(k): v for k, v in parts['depthwise'].items()},
            fit_residual_ms=parts['residual_ms'],
            mixed_checks=[dict(kernels=list(kernels), measured=stats[f'{index}/mixed{i}'],
                               predicted_ms=layer_from_parts(parts['expansion'],
                                                             parts['depthwise'], kernels))
                          for i, kernels in enumerate(checks[index])]))

    data = dict(format=LUT_FORMAT, version=LUT_VERSION, unit='ms', context=context,
                fingerprint=fingerprint(context),
                device=str(dev), device_name=device_description(dev), torch=torch.__version__,
                threads=torch.get_num_threads(), batch_size=int(batch_size),
                input_size=int(input_size), timing=timing, seed=seed,
                created=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
                host=platform.node(),
                fixed=dict(stem=stats['stem'], head=stats['head']), layers=layers, glue_ms=0.0)
    # glue: what whole networks take beyond the sum of their parts, timed in the same run
    if glue_archs:
        table = table_from_data(data, space)
        gaps = [stats[f'net{i}']['median_ms'] - table.arch_cost(a)
                for i, a in enumerate(glue_archs)]
        data['glue_ms'] = float(statistics.median(gaps))
        data['glue_calibration'] = [dict(arch=space.to_text(a), measured=stats[f'net{i}'],
                                         parts_ms=table.arch_cost(a))
                                    for i, a in enumerate(glue_archs)]
    return data


def _out_hw(ctx: Mapping[str, int]) -> Tuple[int, int]:
    size = conv_output_size(ctx['input_hw'], ctx['stride'])
    return size, size


def measure_networks(space, archs: Sequence[Any], num_classes: int, input_size: int,
                     batch_size: int, device='cpu', network: Optional[Mapping[str, Any]] = None,
                     warmup: int = 10, repeats: int = 30, min_sample_ms: float = 2.0,
                     seed: int = 0, progress: bool = False) -> List[Dict[str, float]]:
    """Time the whole stand-alone classifiers of ``archs`` side by side (one run, rotating order):
    one summary (ms) per architecture."""
    dev = resolve_device(str(device))
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size, 3, input_size, input_size, generator=generator).to(dev)
    forms = {str(i): whole_network_form(build_network(space, arch, num_classes, network, dev), x)
             for i, arch in enumerate(archs)}
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(repeats + 1)
    stats = time_forms(forms, dev, warmup, repeats, min_sample_ms,
                       on_step=bar.update if bar is not None else None)
    if bar is not None:
        print()
    return [stats[str(i)] for i in range(len(archs))]


# -- files ------------------------------------------------------------------------------------------
def table_from_data(data: Mapping[str, Any], space) -> CostTable:
    """The :class:`CostTable` (unit 'ms') of a measured table: base = stem + head + glue, and
    per layer the slot rows of its parts model."""
    rows: List[tuple] = []
    for layer in data['layers']:
        rows += slot_rows(_int_keys(layer['expansion']), _int_keys(layer['depthwise']))
    base = (data['fixed']['stem']['median_ms'] + data['fixed']['head']['median_ms']
            + float(data.get('glue_ms', 0.0)))
    context = data['context']
    return CostTable(space, base, tuple(rows), int(context['input_size']),
                     int(context['num_classes']), unit='ms', scale=1.0)


def save_latency_table(data: Mapping[str, Any], path: str) -> None:
    """Write the table as JSON, atomically (a temporary file moved into place)."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def read_latency_data(path: str) -> Dict[str, Any]:
    """The JSON of a table file, checked for format and version."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'latency table not found: {path} (measure one with '
                                'tools/analysis/build_latency_lut.py)')
    try:
        with open(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as err:
        raise LatencyTableError(f'{path}: not a JSON latency table ({err})') from err
    if not isinstance(data, dict) or data.get('format') != LUT_FORMAT:
        raise LatencyTableError(f'{path}: not an mmsgnas latency table (format '
                                f'{data.get("format") if isinstance(data, dict) else None!r}, '
                                f'expected {LUT_FORMAT!r})')
    if data.get('version') != LUT_VERSION:
        raise LatencyTableError(f'{path}: latency table version {data.get("version")!r}, this '
                                f'mmsgnas reads version {LUT_VERSION}; measure the table again '
                                'with tools/analysis/build_latency_lut.py')
    return data


def check_context(data: Mapping[str, Any], space, input_size: int, num_classes: int,
                  path: str = 'latency table',
                  network: Optional[Mapping[str, Any]] = None) -> None:
    """Refuse a table measured for another space, macro structure, input size, number of classes
    or (when ``network`` is given) other network options, naming what differs."""
    saved = data.get('context') or {}
    expected = context_settings(space, input_size, num_classes,
                                network if network is not None else saved.get('network'))
    differ = []
    for key in ('space', 'input_size', 'num_classes', 'network'):
        if saved.get(key) != expected[key]:
            differ.append(f'{key}: table {saved.get(key)!r}, config {expected[key]!r}')
    saved_macro, macro = saved.get('macro') or {}, expected['macro']
    for key in sorted(set(saved_macro) | set(macro)):
        if saved_macro.get(key) != macro.get(key):
            differ.append(f'macro.{key}: table {saved_macro.get(key)!r}, config '
                          f'{macro.get(key)!r}')
    if differ:
        raise LatencyTableError(f'{path} was measured for another network than this config '
                                'describes (' + '; '.join(differ) + '); measure a table for it '
                                'with tools/analysis/build_latency_lut.py')
    if len(data.get('layers', [])) != space.num_layers:
        raise LatencyTableError(f'{path}: {len(data.get("layers", []))} layers, the space has '
                                f'{space.num_layers}')


def load_latency_table(path: str, space, input_size: int, num_classes: int,
                       network: Optional[Mapping[str, Any]] = None) -> CostTable:
    """The :class:`CostTable` (ms) of a table file, refused (:class:`LatencyTableError`) when it
    was measured for another space, macro, input size or number of classes, or is of another
    version."""
    data = read_latency_data(path)
    check_context(data, space, input_size, num_classes, path, network)
    return table_from_data(data, space)


# -- reports ------------------------------------------------------------------------------------------
def parts_model_errors(data: Mapping[str, Any]) -> Dict[str, float]:
    """How far the parts model of each layer is from direct timings of whole blocks: relative
    errors over the (e, uniform k) blocks it was fitted to and over the mixed-kernel blocks it was
    not fitted to (mean and max, in %)."""
    fitted, mixed = [], []
    for layer in data['layers']:
        for key, residual in layer['fit_residual_ms'].items():
            fitted.append(abs(residual) / layer['blocks'][key]['median_ms'])
        for check in layer['mixed_checks']:
            measured = check['measured']['median_ms']
            mixed.append(abs(check['predicted_ms'] - measured) / measured)
    out = dict(fitted_mean_pct=100 * float(np.mean(fitted)), fitted_max_pct=100 * max(fitted))
    if mixed:
        out.update(mixed_mean_pct=100 * float(np.mean(mixed)), mixed_max_pct=100 * max(mixed),
                   mixed_blocks=len(mixed))
    return out


def timed_entries(data: Mapping[str, Any]) -> Dict[str, Dict[str, float]]:
    """Every timing summary of a table by a stable name (fixed parts, blocks, lone convs)."""
    out = {f'fixed/{k}': v for k, v in data['fixed'].items()}
    for layer in data['layers']:
        out.update({f'layer{layer["index"]}/block{k}': v for k, v in layer['blocks'].items()})
        out.update({f'layer{layer["index"]}/dw{k}': v
                    for k, v in layer['depthwise_alone'].items()})
    return out


def compare_tables(first: Mapping[str, Any], second: Mapping[str, Any]) -> Dict[str, Any]:
    """Run-to-run noise between two measurements of the same context: for every timed entry, the
    relative difference of the medians and whether the second median lies inside the first's
    recorded spread (interquartile range; min..max)."""
    if first['fingerprint'] != second['fingerprint']:
        raise LatencyTableError('the two tables were measured for different networks '
                                f'({first["fingerprint"]} vs {second["fingerprint"]})')
    a, b = timed_entries(first), timed_entries(second)
    rel, in_iqr, in_range = [], 0, 0
    for name, stats in a.items():
        other = b[name]['median_ms']
        rel.append(abs(other - stats['median_ms']) / stats['median_ms'])
        in_iqr += stats['q1_ms'] <= other <= stats['q3_ms']
        in_range += stats['min_ms'] <= other <= stats['max_ms']
    iqr_rel = [(s['q3_ms'] - s['q1_ms']) / s['median_ms'] for s in a.values()]
    return dict(entries=len(rel), median_rel_diff_pct=100 * float(np.median(rel)),
                mean_rel_diff_pct=100 * float(np.mean(rel)), max_rel_diff_pct=100 * max(rel),
                within_iqr=in_iqr, within_min_max=in_range,
                median_iqr_rel_pct=100 * float(np.median(iqr_rel)))
