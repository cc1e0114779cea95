"""Runnable lessons of the classic "neural network from scratch" tutorials.

Each lesson is a module: `python -m demos.<name> [--quick] [--seed N] [--out DIR]` runs it,
prints what it shows, writes its pictures to DIR (default ./out) and checks its own claim
(exit code 1 if the claim fails). `python -m demos` runs them all, in the order of `DEMOS`.
Each module's `main(argv)` returns its key numbers as a dict (used by the tests).
"""

# name -> what it shows, in the order of the tour
DEMOS = {
    "logic_gates": "a perceptron computes and learns AND, OR, NOR; XOR needs two layers",
    "perceptron_xy": "the perceptron rule learns the boundary x = y",
    "above_line": "MLP 2-5-1 with sigmoids learns which side of y = x a point is on",
    "parameters": "counting weights and biases: 3-5-5-5-2 has 75 + 17 = 92",
    "numeric_vs_reverse": "finite differences vs backpropagation: same loss, backprop far faster",
    "mse_vs_cross_entropy": "a sigmoid neuron confidently wrong: MSE's gradient vanishes, "
                            "cross-entropy's does not",
    "moons": "an MLP separates two moons: decision boundary, loss curve, one neuron's graph",
    "digits": "8x8 handwritten digits: softmax classifier and MLP, confusion matrix",
    "cnn_digits": "a CNN on the digits: sliding 3x3 filters beat the MLP on moved digits",
    "activations": "ReLU, leaky ReLU, sigmoid, tanh, softmax and their checked derivatives",
    "attention": "a tiny transformer learns to reverse digit strings; its attention map",
}
