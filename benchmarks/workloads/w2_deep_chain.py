"""W2 deep chain: ``x = x * 1.000001 + 0.000001`` N times on a scalar, then backward.

Measures the cost per recorded operation (the time column is per primitive op: N
multiplications plus N additions, forward and backward) and whether a graph of 2N nodes
can be ordered at all: micrograd's recursive topological sort raises RecursionError.
The check value is dx_N/dx_0 = 1.000001**N.
"""
from benchmarks.workloads.spec import Workload, scalar_setups, torch_cpu

A, B = 1.000001, 0.000001


def _scalar_step(Value, n):
    """The chain for any micrograd-like scalar ``Value`` class."""
    def step():
        x0 = x = Value(1.0)
        for _ in range(n):
            x = x * A + B
        x.backward()
        return float(x0.grad)
    return step


def setup_torch(n):
    torch = torch_cpu()

    def step():
        x0 = x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        for _ in range(n):
            x = x * A + B
        x.backward()
        return x0.grad.item()
    return step


WORKLOAD = Workload(
    name="W2", title="deep chain x = x*1.000001 + 0.000001, N times, then backward",
    size_name="N", sizes=(10**4, 10**5, 10**6), quick_size=100,
    systems={**scalar_setups(_scalar_step), "torch": setup_torch},
    check="dx_N/dx_0 = 1.000001**N; torch uses a 0-d float64 tensor",
    rtol=1e-9, unit="op", units_per_iter=lambda n: 2 * n)
