"""Train-step time of the unified supernet on a sampled path vs. the same architecture stand-alone.

    python tools/analysis/benchmark_supernet_step.py [--input-size 32] [--batch-size 64]
        [--widen-factor 0.5] [--stem-stride 1] [--archs 5] [--steps 10] [--device cpu]

For each of ``--archs`` random architectures, both networks run ``--steps`` timed SGD steps
(forward, cross-entropy, backward, update) on the same random batch, alternating between the two
so that both see the same machine state; the ratio of the medians is printed per architecture and
overall. The goal of the foundation issue is a ratio <= 1.3.
"""
import argparse
import random
import statistics
import time

import torch
from torch import nn

from mmsgnas.models import SearchedMobileNet, UnifiedSupernet
from mmsgnas.space import MacroSpec


class Classifier(nn.Module):
    def __init__(self, backbone: nn.Module, channels: int, num_classes: int) -> None:
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.backbone(x)[-1].mean((2, 3)))


def timed_step(model: nn.Module, optimizer, images, labels, device) -> float:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    loss = nn.functional.cross_entropy(model(images), labels)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--input-size', type=int, default=32)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--widen-factor', type=float, default=0.5)
    parser.add_argument('--stem-stride', type=int, default=1)
    parser.add_argument('--head-channels', type=int, default=256)
    parser.add_argument('--archs', type=int, default=5)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    torch.manual_seed(0)
    macro = MacroSpec(widen_factor=args.widen_factor, stem_stride=args.stem_stride,
                      head_channels=args.head_channels)
    head = macro.scaled_head_channels
    supernet = Classifier(UnifiedSupernet(macro=macro), head, 10).to(device).train()
    super_opt = torch.optim.SGD(supernet.parameters(), lr=0.01, momentum=0.9)
    images = torch.randn(args.batch_size, 3, args.input_size, args.input_size, device=device)
    labels = torch.randint(0, 10, (args.batch_size, ), device=device)
    rng = random.Random(0)
    ratios = []
    print(f'device {device}, batch {args.batch_size}, input {args.input_size}, '
          f'widen {args.widen_factor}, {torch.get_num_threads()} threads')
    print(f'{"arch":>4s} {"supernet ms":>12s} {"stand-alone ms":>15s} {"ratio":>6s}')
    for index in range(args.archs):
        arch = supernet.backbone.sample_arch(rng)
        supernet.backbone.set_arch(arch)
        alone = Classifier(SearchedMobileNet(arch, macro=macro), head, 10).to(device).train()
        alone_opt = torch.optim.SGD(alone.parameters(), lr=0.01, momentum=0.9)
        for _ in range(2):  # warm-up
            timed_step(supernet, super_opt, images, labels, device)
            timed_step(alone, alone_opt, images, labels, device)
        super_times, alone_times = [], []
        for _ in range(args.steps):
            super_times.append(timed_step(supernet, super_opt, images, labels, device))
            alone_times.append(timed_step(alone, alone_opt, images, labels, device))
        s, a = statistics.median(super_times), statistics.median(alone_times)
        ratios.append(s / a)
        print(f'{index:4d} {1e3 * s:12.1f} {1e3 * a:15.1f} {s / a:6.2f}')
    overall = statistics.median(ratios)
    print(f'median ratio supernet / stand-alone train step: {overall:.2f} (goal <= 1.3)')
    return overall


if __name__ == '__main__':
    main()
