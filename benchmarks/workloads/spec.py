"""What a workload module declares, and the one way the torch peer is set up."""
import os
from dataclasses import dataclass, field
from typing import Callable

# A setup function takes the size and returns ``step``: one iteration (forward, backward
# and update where there is one) that returns the check value as a float.
Step = Callable[[], float]
Setup = Callable[[int], Step]


@dataclass(frozen=True)
class Workload:
    """One benchmark: its sizes, its systems and how to read its numbers."""

    name: str                          # "W1"
    title: str                         # one line for the table's legend
    size_name: str                     # what the size counts: "points", "N", "batch"
    sizes: tuple[int, ...]             # sizes of the full run
    quick_size: int                    # size of ``--quick`` and the tests
    systems: dict[str, Setup]          # system name -> setup function
    check: str                         # what the check value is
    rtol: float                        # agreement tolerance of the check values
    unit: str = "iter"                 # the time column is seconds per unit
    units_per_iter: Callable[[int], int] = lambda size: 1
    requires: dict[str, tuple[str, ...]] = field(default_factory=dict)  # extra imports


def torch_cpu():
    """Import torch with as many intra-op threads as there are cores."""
    import torch
    torch.set_num_threads(os.cpu_count())
    return torch


def scalar_setups(scalar_step: Callable[[type, int], Step]) -> dict[str, Setup]:
    """Setups for the two scalar engines, ours and micrograd, from one function of
    (the engine's ``Value`` class, size) that returns the step."""
    def ours(size):
        from autograd import Value
        return scalar_step(Value, size)

    def micrograd(size):
        from micrograd.engine import Value
        return scalar_step(Value, size)
    return {"autograd": ours, "micrograd": micrograd}
