"""FLOPs table of the NAS-Bench-201 space.

Counted as in :mod:`mmsgnas.cost.lut`: multiply-accumulates of every convolution and of the linear
classifier (biases, batch norm, ReLU, pooling and additions not counted), the numbers
``mmengine.analysis`` gives for conv and linear layers, in MFLOPs (1e6 MACs).

A 'same'-padded k x k conv from c_in to c_out channels on an s x s output costs c_in * c_out * k^2
* s^2. With input size S and C stem channels:

* base: the stem (3 -> C, 3x3, at S), the two reduction blocks (c -> 2c at output size s / 2: a
  3x3 stride-2 conv c -> 2c, a 3x3 conv 2c -> 2c and the 1x1 shortcut conv c -> 2c after the 2x2
  pooling) and the classifier (4C x num_classes);
* row d: edge d's operation summed over the 3N cells, every cell having the same topology:
  ``nor_conv_1x1`` costs sum over the stages of N * c^2 * s^2, ``nor_conv_3x3`` nine times that,
  ``none``, ``skip_connect`` and ``avg_pool_3x3`` nothing.

So the cost is linear in the one-hot encoding, and it is what the stand-alone network executes:
like the benchmark's network it builds and runs every edge that is not ``none``, also a conv on
a node that is always zero and a conv whose node does not reach the cell output.

Dead edges and mmengine's counter. ``mmengine.analysis`` counts a traced graph, and tracing drops
computations whose results are never used. In 2,290 of the 15,625 cells (14.7 %) a conv edge
cannot reach the cell output (e.g. ``3<-2`` is ``none``, so the convs into node 2 are dead); for
those the counter reports the table's cost minus the MACs of the dead edges
(:meth:`~mmsgnas.space.nasbench201.NasBench201Space.live_edges`), for all other cells exactly the
table's. The table keeps the dead edges: they are executed, the benchmark builds them (its
``params_M`` includes their parameters), and a linear table is what Cost(alpha) needs.
"""
from typing import List

from .table import CostTable


def nasbench201_stage_shapes(C: int, input_size: int) -> List[tuple]:
    """(channels, spatial size) of the three stages at ``input_size`` pixels: (C, S), (2C, S/2),
    (4C, S/4). The input size must be a multiple of 4: each reduction block adds a stride-2 conv
    (output ceil(s/2)) to a 2x2 pooling (output floor(s/2)), which only agree on even sizes."""
    if isinstance(input_size, bool) or not isinstance(input_size, int) or input_size < 4 or \
            input_size % 4:
        raise ValueError(f'NAS-Bench-201 networks need an input size that is a positive multiple '
                         f'of 4 (two stride-2 reduction blocks with pooled shortcuts), got '
                         f'{input_size!r}')
    return [(C, input_size), (2 * C, input_size // 2), (4 * C, input_size // 4)]


def nasbench201_flops_table(space, input_size: int = 32, num_classes: int = 10) -> CostTable:
    """The :class:`CostTable` of the stand-alone classifier of ``space`` (a NasBench201Space, its
    ``C`` and ``N``) at ``input_size`` pixels with ``num_classes`` outputs, in MACs: base plus a
    [6][5] table over the operations in ``space.choice_names`` order."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f'num_classes must be a positive integer, got {num_classes!r}')
    C, N = space.C, space.N
    stages = nasbench201_stage_shapes(C, input_size)
    base = 3 * C * 9 * input_size ** 2
    for (c_in, _), (c_out, size) in zip(stages[:-1], stages[1:]):
        base += (9 * c_in * c_out + 9 * c_out * c_out + c_in * c_out) * size ** 2
    base += stages[-1][0] * num_classes
    pointwise = sum(N * c * c * size ** 2 for c, size in stages)
    per_op = {'nor_conv_1x1': pointwise, 'nor_conv_3x3': 9 * pointwise}
    row = tuple(per_op.get(op, 0) for op in space.choice_names)
    num_edges = space.decision_shape[0]
    return CostTable(space, base, (row,) * num_edges, input_size, num_classes)
