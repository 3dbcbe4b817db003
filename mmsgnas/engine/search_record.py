"""What a search loop keeps: evaluated candidates, its resumable state, and its output files."""
import csv
import json
import os
import random
from io import StringIO
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Sequence

from ..space import Arch, save_subnet
from ..utils import write_text_atomic

STATE_FILE = 'search_state.json'
CANDIDATES_FILE = 'candidates.csv'
BEST_FILE = 'best_subnet.yaml'


@dataclass
class Candidate:
    """One evaluated architecture: FLOPs in MFLOPs, params in M, accuracy in % (top-1)."""
    arch: Arch
    flops: float
    params: float
    accuracy: float

    def to_json(self) -> dict:
        return dict(asdict(self), arch=self.arch.to_lists())

    @classmethod
    def from_json(cls, data: dict) -> 'Candidate':
        return cls(Arch(data['arch']), float(data['flops']), float(data['params']),
                   float(data['accuracy']))


def ranked(candidates: Sequence[Candidate]) -> List[Candidate]:
    """Best first: higher accuracy, then fewer FLOPs, then evaluated earlier."""
    order = sorted(range(len(candidates)),
                   key=lambda i: (-candidates[i].accuracy, candidates[i].flops, i))
    return [candidates[i] for i in order]


def rng_state_to_json(rng: random.Random) -> list:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def rng_from_json(state: list) -> random.Random:
    rng = random.Random()
    rng.setstate((state[0], tuple(state[1]), state[2]))
    return rng


def save_state(out_dir: str, state: Dict[str, Any]) -> None:
    """Write the loop's state as JSON (plain data: safe to load, readable), atomically."""
    write_text_atomic(os.path.join(out_dir, STATE_FILE), json.dumps(state))


def load_state(out_dir: str, settings: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The saved state of ``out_dir`` (None when there is none). A state saved with other
    settings (method, budget, seed, sizes) is refused, naming the settings that differ."""
    path = os.path.join(out_dir, STATE_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            state = json.load(f)
    except json.JSONDecodeError as err:
        raise ValueError(f'{path}: not a search state file ({err})') from err
    saved = state.get('settings', {})
    differ = {k: (saved.get(k), v) for k, v in settings.items() if saved.get(k) != v}
    if differ:
        detail = ', '.join(f'{k}: saved {a!r}, now {b!r}' for k, (a, b) in differ.items())
        raise ValueError(f'{path}: cannot resume, the search settings changed ({detail}); use '
                         'another work dir or start without --resume')
    return state


def write_candidates(out_dir: str, candidates: Sequence[Candidate]) -> None:
    """candidates.csv: every evaluated candidate in evaluation order."""
    rows = [dict(index=i, flops=round(c.flops, 4), params=round(c.params, 4),
                 accuracy=round(c.accuracy, 3),
                 expansions=' '.join(map(str, c.arch.expansions)),
                 arch=json.dumps(c.arch.to_lists(), separators=(',', ':')))
            for i, c in enumerate(candidates)]
    fields = ['index', 'flops', 'params', 'accuracy', 'expansions', 'arch']
    text = StringIO()
    writer = csv.DictWriter(text, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(os.path.join(out_dir, CANDIDATES_FILE), text.getvalue())


def write_best(out_dir: str, best: Candidate, metadata: Dict[str, Any]) -> str:
    """best_subnet.yaml with FLOPs, params and accuracy in its metadata; returns its path."""
    path = os.path.join(out_dir, BEST_FILE)
    save_subnet(path, best.arch, dict(flops=round(best.flops, 4), params=round(best.params, 4),
                                      accuracy=round(best.accuracy, 3), **metadata))
    return path
