"""The parity check: logits of the PyTorch model, the exported program and onnxruntime on real
images of the data set, compared against a tolerance from the config."""
from dataclasses import dataclass
from typing import Dict, Iterator, List, Mapping, Optional, Tuple

import torch
from torch import nn

from .programs import Form


class ParityError(RuntimeError):
    """An exported form that does not compute what the PyTorch model computes (beyond the
    tolerance of the config)."""


@dataclass(frozen=True)
class ParityTolerance:
    """Limits an exported form must meet against the PyTorch model.

    Attributes:
        max_abs_diff: largest allowed |logit difference| over all images and classes.
        mean_abs_diff: largest allowed mean |logit difference|.
        min_top1_agreement: smallest allowed fraction of images with the same top-1 class.
        flops_rel_diff: largest allowed relative difference between the FLOPs counted on an
            exported graph and mmsgnas.cost's.
    """
    max_abs_diff: float = 1e-3
    mean_abs_diff: float = 1e-4
    min_top1_agreement: float = 0.99
    flops_rel_diff: float = 1e-6

    @classmethod
    def from_cfg(cls, cfg: Mapping, source: str = 'export.parity') -> 'ParityTolerance':
        unknown = sorted(set(cfg) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f'{source}: unknown key(s) {unknown}; known: '
                             f'{sorted(cls.__dataclass_fields__)}')
        return cls(**{k: float(v) for k, v in cfg.items()})


def image_batches(dataloader_cfg: Mapping, scope: str = 'mmpretrain',
                  max_images: Optional[int] = None) -> Iterator[Tuple[List[torch.Tensor], list]]:
    """(list of uint8 [3, H, W] images, list of data samples) per batch of the data loader of
    ``dataloader_cfg`` (e.g. a config's ``test_dataloader``), at most ``max_images`` images."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    with DefaultScope.overwrite_default_scope(scope):
        loader = Runner.build_dataloader(dict(dataloader_cfg), seed=0)
    seen = 0
    for data in loader:
        images, samples = list(data['inputs']), list(data['data_samples'])
        if max_images is not None:
            images, samples = images[:max_images - seen], samples[:max_images - seen]
        if not images:
            return
        seen += len(images)
        yield images, samples
        if max_images is not None and seen >= max_images:
            return


@dataclass
class ParityData:
    """Everything computed on the images: reference logits, the logits of each form, labels."""
    reference: torch.Tensor            # [N, classes] float64 (PyTorch model)
    forms: Dict[str, torch.Tensor]     # name -> [N, classes] float64
    labels: Optional[torch.Tensor]     # [N] ground truth, if the samples have it
    image_shape: Tuple[int, ...]       # [3, H, W] of the images


def collect_logits(classifier: nn.Module, forms: Mapping[str, Form],
                   batches, preprocess: bool = True) -> ParityData:
    """Run the reference (``classifier.data_preprocessor`` then ``classifier(x, mode='tensor')``,
    as mmpretrain's test loop does) and every form on each batch. With ``preprocess`` the forms
    get the raw pixels (float32), otherwise the preprocessed input."""
    reference, labels, outputs = [], [], {name: [] for name in forms}
    shape: Tuple[int, ...] = ()
    for images, samples in batches:
        with torch.no_grad():
            data = classifier.data_preprocessor(dict(inputs=images, data_samples=samples), False)
            reference.append(classifier(data['inputs'], mode='tensor').double().cpu())
        feed = torch.stack(images).float() if preprocess else data['inputs']
        shape = tuple(images[0].shape)
        for name, form in forms.items():
            outputs[name].append(form(feed).double().cpu())
        label = [getattr(s, 'gt_label', None) for s in samples]
        if all(x is not None and x.numel() == 1 for x in label):
            labels.append(torch.cat([x.view(1).cpu() for x in label]))
    count = sum(len(r) for r in reference)
    return ParityData(torch.cat(reference), {k: torch.cat(v) for k, v in outputs.items()},
                      torch.cat(labels) if labels and sum(map(len, labels)) == count else None,
                      shape)


def compare(reference: torch.Tensor, other: torch.Tensor) -> Dict[str, float]:
    """max / mean |difference| and top-1 agreement of two [N, classes] logit tensors."""
    if reference.shape != other.shape:
        raise ParityError(f'output shapes differ: {tuple(reference.shape)} vs '
                          f'{tuple(other.shape)}')
    diff = (reference - other).abs()
    return dict(max_abs_diff=float(diff.max()), mean_abs_diff=float(diff.mean()),
                top1_agreement=float((reference.argmax(1) == other.argmax(1)).double().mean()),
                top1_disagreements=int((reference.argmax(1) != other.argmax(1)).sum()))


def parity_figures(data: ParityData) -> Dict[str, Dict[str, float]]:
    """Figures of every form against the reference, of each pair of forms, and the top-1
    accuracy of each (when labels exist)."""
    figures = {name: compare(data.reference, logits) for name, logits in data.forms.items()}
    names = list(data.forms)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            figures[f'{second} vs {first}'] = compare(data.forms[first], data.forms[second])
    if data.labels is not None:
        for name, logits in [('PyTorch', data.reference), *data.forms.items()]:
            accuracy = float((logits.argmax(1) == data.labels).double().mean())
            figures.setdefault(name, {})['top1_accuracy'] = accuracy
    return figures


def parity_failures(figures: Mapping[str, Mapping[str, float]], forms: List[str],
                    tolerance: ParityTolerance) -> List[str]:
    """One sentence per violated limit of each exported form (against the PyTorch model)."""
    failures = []
    for name in forms:
        got = figures[name]
        if not got['max_abs_diff'] <= tolerance.max_abs_diff:   # also catches NaN
            failures.append(f'{name}: max |logit diff| {got["max_abs_diff"]:.3g} > '
                            f'max_abs_diff {tolerance.max_abs_diff:g}')
        if not got['mean_abs_diff'] <= tolerance.mean_abs_diff:
            failures.append(f'{name}: mean |logit diff| {got["mean_abs_diff"]:.3g} > '
                            f'mean_abs_diff {tolerance.mean_abs_diff:g}')
        if not got['top1_agreement'] >= tolerance.min_top1_agreement:
            failures.append(f'{name}: top-1 agreement {got["top1_agreement"]:.4f} < '
                            f'min_top1_agreement {tolerance.min_top1_agreement:g}')
    return failures


def flops_failures(flops: Mapping[str, float], expected_key: str,
                   tolerance: ParityTolerance) -> List[str]:
    """Counts (MFLOPs) that differ from ``flops[expected_key]`` by more than the tolerance."""
    expected = flops[expected_key]
    failures = []
    for name, value in flops.items():
        if name == expected_key or value is None:
            continue
        rel = abs(value - expected) / expected
        if not rel <= tolerance.flops_rel_diff:
            failures.append(f'FLOPs of {name}: {value:.6f} M vs {expected_key} '
                            f'{expected:.6f} M (relative difference {rel:.3g} > flops_rel_diff '
                            f'{tolerance.flops_rel_diff:g})')
    return failures
