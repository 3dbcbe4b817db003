"""The parity report as markdown (the JSON is the report dict itself)."""
from typing import Any, Dict, List


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return '—'
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f'{value:.3e}'
        return f'{value:.{digits}f}'
    return str(value)


def markdown_report(report: Dict[str, Any]) -> str:
    """A human-readable rendering of :func:`mmsgnas.deploy.export.run_export`'s report."""
    lines: List[str] = []
    status = report['status'].upper()
    lines += [f'# Export and parity report: {status}', '']
    if report['failures']:
        lines += ['Failures (the export is rejected):', '']
        lines += [f'- {f}' for f in report['failures']] + ['']
    src = report['source']
    lines += ['| | |', '|---|---|',
              f'| subnet | `{src["subnet"]}` ({src["arch"]}) |',
              f'| checkpoint | `{src["checkpoint"]}` ({src["kind"]}) |',
              f'| config | `{src["config"]}` |',
              f'| blocks | SE: {src["se"]}, activation: {src["act"]}, {src["num_classes"]} classes |']
    art = report['artifacts']
    lines.append(f'| torch.export program | `{art["program"]}` (torch {art["torch"]}; load with '
                 '`torch.export.load(path).module()`) |')
    if art.get('onnx'):
        lines.append(f'| ONNX model | `{art["onnx"]}` (opset {art["opset"]}, '
                     f'torch.onnx.export dynamo=True; onnx {art["onnx_version"]}, '
                     f'onnxruntime {art["onnxruntime"]}) |')
    spec = report['input']
    if spec.get('preprocess_in_graph'):
        lines.append(f'| input | [N, 3, H, W] float32 pixels 0..255 in the loaded channel order '
                     f'(to_rgb={spec["to_rgb"]}), normalised inside: mean {spec["mean"]}, std '
                     f'{spec["std"]}; N = 1..4096 |')
    else:
        lines.append('| input | [N, 3, H, W] float32, normalised as the data preprocessor does |')
    fold = report['bn_folding']
    lines.append(f'| BN folding | {"on" if fold["enabled"] else "off"}: {fold["folded"]} BN '
                 f'layers folded into convs, {fold["left"]} left |')
    for note in src.get('notes', []):
        lines.append(f'| note | {note} |')
    lines.append('')

    par = report['parity']
    tol = par['tolerance']
    lines += ['## Parity', '',
              f'{par["images"]} images of `{par["dataloader"]}` ({par["dataset"]}), shape '
              f'{par["image_shape"]}; reference: {par["reference"]}. Tolerance: max |diff| <= '
              f'{tol["max_abs_diff"]:g}, mean |diff| <= {tol["mean_abs_diff"]:g}, top-1 '
              f'agreement >= {tol["min_top1_agreement"]:g}. Largest |logit| of the reference: '
              f'{_fmt(par.get("reference_max_abs_logit"))}.', '',
              '| compared | max abs logit diff | mean abs logit diff | top-1 agreement '
              '| disagreeing images |', '|---|---|---|---|---|']
    for name, fig in par['figures'].items():
        if 'max_abs_diff' not in fig:
            continue
        label = name if ' vs ' in name else f'{name} vs PyTorch'
        lines.append(f'| {label} | {_fmt(fig["max_abs_diff"])} | {_fmt(fig["mean_abs_diff"])} | '
                     f'{fig["top1_agreement"] * 100:.2f} % | {fig["top1_disagreements"]} |')
    accuracy = [(n, f['top1_accuracy']) for n, f in par['figures'].items()
                if 'top1_accuracy' in f]
    if accuracy:
        lines += ['', 'Top-1 accuracy against the labels: ' + ', '.join(
            f'{n} {a * 100:.2f} %' for n, a in accuracy) + '.']
    lines.append('')

    lines += ['## FLOPs and parameters', '',
              'Conv + linear multiply-accumulates of one image (MFLOPs), as mmsgnas.cost counts '
              'them.', '', '| counted by | MFLOPs | relative difference to mmsgnas.cost |',
              '|---|---|---|']
    flops = report['flops']
    expected = flops['values'][flops['expected']]
    for name, value in flops['values'].items():
        rel = None if value is None else (value - expected) / expected
        lines.append(f'| {name} | {_fmt(value, 6)} | {_fmt(rel) if name != flops["expected"] else "—"} |')
    params = report['params']
    lines += ['', '| parameters (M) | |', '|---|---|']
    lines += [f'| {k} | {_fmt(v, 6)} |' for k, v in params.items()]
    lines.append('')

    lat = report.get('latency')
    if lat:
        forms = list(next(iter(lat['batches'].values())))
        lines += ['## Latency', '',
                  f'Median of {lat["repeats"]} runs after {lat["warmup"]} warm-up runs, the forms '
                  f'interleaved in one process; {lat["threads"]} thread(s) for torch '
                  f'(torch.set_num_threads) and onnxruntime (intra-op; inter-op 1); '
                  f'{lat["cpu"]}. Milliseconds per batch.', '',
                  '| batch | ' + ' | '.join(forms) + ' |', '|---|' + '---|' * len(forms)]
        for batch, row in lat['batches'].items():
            lines.append(f'| {batch} | ' + ' | '.join(
                f'{row[f]["median_ms"]:.3f}' for f in forms) + ' |')
        lines.append('')
    lines += ['## Command', '', '```bash', report['command'], '```', '']
    return '\n'.join(lines)
