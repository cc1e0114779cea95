"""Logic gates: what one perceptron can compute, what it can learn, and where it stops.

1. A step perceptron with weights set by hand computes AND and NOR.
2. `nn.Perceptron.fit` (the perceptron rule) learns AND, OR and NOR from their truth tables.
3. No single perceptron computes XOR: its two classes cannot be split by one straight line.
4. Two layers can: a small MLP trained by gradient descent learns XOR.

    python -m demos.logic_gates [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn
from autograd import Value, no_grad

from .common import check, parse_args, run, truth_table

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NOR": [1, 0, 0, 0], "XOR": [0, 1, 1, 0]}


def hand_set(weights, bias) -> nn.Perceptron:
    """A step perceptron with the given weights: it fires (outputs 1) when w.x + b >= 0."""
    p = nn.Perceptron(2)
    p.weight.data = np.array(weights, dtype=float)
    p.bias.data = np.array(bias, dtype=float)
    return p


def main(argv=None) -> dict:
    args = parse_args("demos.logic_gates", __doc__, argv)
    results = {"hand_set": {}, "learned": {}}

    print("1. A perceptron outputs 1 when w1*x1 + w2*x2 + b >= 0, else 0.")
    print("   With weights chosen by hand it is a logic gate:")
    # AND: both inputs needed to get past the threshold 1.5. NOR: any input pulls it below 0.
    for name, (w, b) in {"AND": ([1.0, 1.0], -1.5), "NOR": ([-1.0, -1.0], 0.5)}.items():
        out = hand_set(w, b).predict(INPUTS)
        print(f"\n  {name}: w = {w}, b = {b}")
        print(truth_table(INPUTS, out, name))
        results["hand_set"][name] = out.tolist()
        check(out.tolist() == GATES[name], f"hand-set {name} gives {out.tolist()}")

    print("\n2. The perceptron rule learns the weights from the truth table: after each wrong")
    print("   answer it moves w by lr * (target - output) * x and b by lr * (target - output).")
    for name in ("AND", "OR", "NOR"):
        p = nn.Perceptron(2, rng=args.seed)
        mistakes = p.fit(INPUTS, GATES[name], epochs=100, lr=0.5)
        out = p.predict(INPUTS)
        w, b = p.weight.data, float(p.bias.data)
        print(f"\n  {name}: mistakes per epoch {mistakes}; learned w = {np.round(w, 2)}, "
              f"b = {b:.2f}")
        print(truth_table(INPUTS, out, name))
        results["learned"][name] = out.tolist()
        check(out.tolist() == GATES[name],
              f"the perceptron rule did not learn {name}: {out.tolist()}")

    print("\n3. XOR is 1 when exactly one input is 1. No straight line puts (0,1) and (1,0)")
    print("   on one side and (0,0) and (1,1) on the other, so the perceptron rule never settles:")
    p = nn.Perceptron(2, rng=args.seed)
    mistakes = p.fit(INPUTS, GATES["XOR"], epochs=20, lr=0.5)
    out = p.predict(INPUTS)
    xor_single = float(np.mean(out == GATES["XOR"]))
    print(f"\n  mistakes per epoch: {mistakes}")
    print(truth_table(INPUTS, out, "XOR?"))
    print(f"  accuracy of the single perceptron: {xor_single:.0%} (at most 75% is possible)")
    check(xor_single < 1.0, "a single perceptron computed XOR, which is impossible")

    print("\n4. Two layers solve it: the hidden neurons draw two lines, the output combines them.")
    print("   MLP 2-4-1 (tanh hidden, sigmoid output), binary cross-entropy, Adam:")
    model = nn.MLP([2, 4, 1], activation="tanh", output_activation="sigmoid", rng=args.seed)
    target = np.array(GATES["XOR"], dtype=float).reshape(-1, 1)
    epochs = 200 if args.quick else 500
    losses = nn.fit(model, INPUTS, target, nn.binary_cross_entropy,
                    nn.optim.Adam(model.parameters(), lr=0.05), epochs=epochs, progress=False)
    with no_grad():
        prob = model(Value(INPUTS, requires_grad=False)).data[:, 0]
    out = (prob >= 0.5).astype(int)
    xor_mlp = float(np.mean(out == GATES["XOR"]))
    print(f"\n  loss after {epochs} epochs: {losses[-1]:.4f}")
    print(truth_table(INPUTS, [f"{o}   (p = {q:.3f})" for o, q in zip(out, prob)], "XOR"))
    print(f"  accuracy of the MLP: {xor_mlp:.0%}")
    check(xor_mlp == 1.0, f"the MLP did not learn XOR: outputs {out.tolist()}")

    results.update(xor_single_accuracy=xor_single, xor_mlp_accuracy=xor_mlp,
                   xor_mlp_outputs=out.tolist(), files=[])
    return results


if __name__ == "__main__":
    raise SystemExit(run(main))
