"""The workload table: one module per workload, each declaring a ``WORKLOAD``."""
from benchmarks.workloads import (w1_scalar_mlp, w2_deep_chain, w3_tensor_mlp,
                                  w4_small_ops, w5_hvp, w6_cnn)
from benchmarks.workloads.spec import Workload

WORKLOADS: dict[str, Workload] = {
    m.WORKLOAD.name: m.WORKLOAD
    for m in (w1_scalar_mlp, w2_deep_chain, w3_tensor_mlp, w4_small_ops, w5_hvp, w6_cnn)
}
