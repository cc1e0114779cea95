"""Parameters: how many weights and biases a network has, counted from the model itself.

A dense layer from n_in to n_out neurons has n_in * n_out weights (one per connection) and
n_out biases (one per neuron). A network 3-5-5-5-2 therefore has
3*5 + 5*5 + 5*5 + 5*2 = 75 weights and 5 + 5 + 5 + 2 = 17 biases: 92 parameters.

    python -m demos.parameters [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import nn

from .common import check, parse_args, run

OTHERS = [[2, 5, 1], [2, 16, 16, 1], [64, 32, 10], [784, 128, 64, 10]]


def count(model) -> tuple[int, int]:
    """(weights, biases) of a model, read from its named parameters."""
    weights = sum(p.size for name, p in model.named_parameters() if name.endswith("weight"))
    biases = sum(p.size for name, p in model.named_parameters() if name.endswith("bias"))
    return weights, biases


def formula(sizes) -> tuple[int, int]:
    """(weights, biases) by the formula: sum of n_in * n_out, and sum of n_out."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    return sum(a * b for a, b in pairs), sum(b for _, b in pairs)


def main(argv=None) -> dict:
    args = parse_args("demos.parameters", __doc__, argv,
                      quick_help="the same as the full run (it is instant)")
    sizes = [3, 5, 5, 5, 2]
    model = nn.MLP(sizes, activation="sigmoid", rng=args.seed)
    print(f"The network {'-'.join(map(str, sizes))}, parameter by parameter:\n")
    print(f"  {'name':<18}{'shape':>10}{'count':>8}")
    for name, p in model.named_parameters():
        print(f"  {name:<18}{str(p.shape):>10}{p.size:>8}")
    weights, biases = count(model)
    total = model.num_parameters()
    print(f"\n  weights {weights} + biases {biases} = {weights + biases}; "
          f"model.num_parameters() = {total}")
    check((weights, biases, total) == (75, 17, 92),
          f"3-5-5-5-2 should have 75 + 17 = 92 parameters, the model has "
          f"{weights} + {biases} (num_parameters() = {total})")

    print("\nOther networks (counted from the model, checked against the formula):\n")
    print(f"  {'sizes':<18}{'weights':>9}{'biases':>8}{'total':>9}   formula")
    table = {}
    for other in OTHERS:
        m = nn.MLP(other, rng=args.seed)
        w, b = count(m)
        fw, fb = formula(other)
        ok = (w, b) == (fw, fb) and m.num_parameters() == w + b
        print(f"  {'-'.join(map(str, other)):<18}{w:>9}{b:>8}{w + b:>9}   "
              f"{'agrees' if ok else f'DISAGREES: {fw} + {fb}'}")
        check(ok, f"{other}: model counts {w} + {b}, formula {fw} + {fb}")
        table["-".join(map(str, other))] = w + b
    print("\nMost parameters sit in the widest connection: in 784-128-64-10 the first layer alone "
          "has 784*128 = 100,352 weights.")
    return {"weights": weights, "biases": biases, "total": total, "others": table, "files": []}


if __name__ == "__main__":
    raise SystemExit(run(main))
