"""Write the stand-alone classifier of a subnet with its weights sliced from a trained supernet.

    python tools/extract_subnet.py SUPERNET_CONFIG SUPERNET_CKPT SUBNET.yaml --out subnet.pth

The checkpoint holds the ``state_dict`` of mmpretrain's ImageClassifier with a SearchedMobileNet
backbone (se=False, act='relu6': the supernet's blocks) and the supernet's macro; it reproduces the
supernet's output on that path and can start a retraining (``load_from``) or initialise a
detector's backbone (``init_cfg=dict(type='Pretrained', prefix='backbone.')``). Refused, with the
parameter named, when the checkpoint does not fit the config.
"""
import argparse
import os

import torch
from mmengine.config import Config

from mmsgnas.models import build_searched_classifier, inherit_from_supernet
from mmsgnas.space import load_subnet
from mmsgnas.utils import safe_torch_load


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the supernet config the checkpoint was trained with')
    parser.add_argument('checkpoint')
    parser.add_argument('subnet')
    parser.add_argument('--out', required=True)
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    arch, meta = load_subnet(args.subnet)
    if not os.path.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    checkpoint = safe_torch_load(args.checkpoint)
    state = checkpoint.get('state_dict', checkpoint)
    model = build_searched_classifier(arch, cfg.model.backbone.get('macro'),
                                      cfg.model.head.num_classes)
    inherit_from_supernet(model, state, arch)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(subnet=os.path.abspath(args.subnet), supernet=args.checkpoint,
                              config=args.config, flops=meta.get('flops'))), args.out + '.tmp')
    os.replace(args.out + '.tmp', args.out)
    print(f'stand-alone weights of {args.subnet} written to {args.out}')
    return args.out


if __name__ == '__main__':
    main()
