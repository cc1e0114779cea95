"""A tiny transformer learns to reverse strings of digits, and its attention shows how.

Each example is n random digits, a separator, then the same digits reversed:
`3 1 4 1 5 | 5 1 4 1 3`. A one-block transformer (token and position embeddings, causal
self-attention with two heads, layer norm, a GELU MLP) learns to predict each next token.
Only the reversed half can be predicted, so the loss ignores the first half
(`cross_entropy(..., ignore_index=-100)`). After training it writes the reversal of new
strings, one digit at a time (greedy decoding), and gets at least 95% of them right.

To write the k-th digit of the reversal, the model must look k places before the
separator's mirror image: the attention map shows an anti-diagonal, and the demo checks that
the attention of each output position falls mostly on the digit it copies.

    python -m demos.attention [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn
from autograd import Value, no_grad

from .common import check, out_dir, parse_args, pyplot, run, save_figure, timer

SEP = 10  # the separator token; digits are tokens 0 to 9
IGNORE = -100  # the label of positions the loss leaves out (cross_entropy's ignore_index)
BAR = 0.95  # share of new strings reversed exactly right, in full and quick mode alike


def make_batch(n_digits: int, batch: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets): token sequences `digits SEP reversed` without their last token,
    and the next token at each position (IGNORE where it is one of the random digits)."""
    digits = rng.integers(0, 10, (batch, n_digits))
    sequences = np.concatenate([digits, np.full((batch, 1), SEP), digits[:, ::-1]], axis=1)
    targets = sequences[:, 1:].copy()
    targets[:, :n_digits - 1] = IGNORE  # the next input digit cannot be predicted
    return sequences[:, :-1], targets


class Block(nn.Module):
    """A pre-norm transformer block: x + attention(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, width: int, heads: int, rng):
        self.norm1 = nn.LayerNorm(width)
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True, rng=rng)
        self.norm2 = nn.LayerNorm(width)
        # GELU's tanh form, as in GPT-2 (the exact one runs math.erf per element: slower)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width, rng=rng), nn.GELU("tanh"),
                                 nn.Linear(4 * width, width, rng=rng))

    def forward(self, x: Value, mask: np.ndarray) -> tuple[Value, Value]:
        h = self.norm1(x)
        attended, weights = self.attention(h, h, h, attn_mask=mask,
                                           average_attn_weights=False)
        x = x + attended
        return x + self.mlp(self.norm2(x)), weights


class TinyTransformer(nn.Module):
    """Tokens -> embeddings + position embeddings -> block -> layer norm -> next-token logits."""

    def __init__(self, length: int, width: int = 32, heads: int = 2, vocabulary: int = 11,
                 rng=None):
        rng = np.random.default_rng(rng)
        self.tokens = nn.Embedding(vocabulary, width, rng=rng)
        self.positions = nn.Embedding(length, width, rng=rng)
        self.block = Block(width, heads, rng)
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocabulary, rng=rng)

    def forward(self, tokens: np.ndarray) -> tuple[Value, Value]:
        """Logits (batch, length, vocabulary) and the attention weights (batch, heads,
        length, length). Position i sees positions 0..i only (the causal mask)."""
        length = tokens.shape[1]
        x = self.tokens(tokens) + self.positions(np.arange(length))
        future = np.triu(np.ones((length, length), bool), 1)  # True: may not attend
        x, weights = self.block(x, future)
        return self.head(self.norm(x)), weights


def reverse_greedily(model, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The model's reversal of each row of digits, one token at a time, and the attention
    weights of the last step (which has seen the whole sequence but the last token)."""
    model.eval()
    sequences = np.concatenate([digits, np.full((len(digits), 1), SEP)], axis=1)
    with no_grad():
        for _ in range(digits.shape[1]):
            logits, weights = model(sequences)
            next_token = np.argmax(logits.data[:, -1, :SEP], axis=-1)  # digits only
            sequences = np.concatenate([sequences, next_token[:, None]], axis=1)
    return sequences[:, digits.shape[1] + 1:], weights.data


def copying(n_digits: int) -> tuple[np.ndarray, np.ndarray]:
    """(query positions, key positions): position n + k (the separator for k = 0, else the
    k-th digit written) predicts output digit k + 1, the copy of the input digit at
    position n - 1 - k."""
    k = np.arange(n_digits)
    return n_digits + k, n_digits - 1 - k


def plot_attention(weights: np.ndarray, tokens: np.ndarray, path):
    """One heat map per head: row i is what position i attends to."""
    plt = pyplot()
    labels = ["|" if t == SEP else str(t) for t in tokens]
    heads = len(weights)
    fig, axes = plt.subplots(1, heads, figsize=(4.2 * heads, 4.2))
    for h, ax in enumerate(np.atleast_1d(axes)):
        image = ax.imshow(weights[h], cmap="viridis", vmin=0, vmax=1)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_yticks(range(len(labels)), labels)
        ax.set(title=f"head {h + 1}", xlabel="attends to (key)", ylabel="position (query)")
    fig.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
    fig.suptitle("Reversing digits: causal self-attention, one example")
    return save_figure(fig, path)


def main(argv=None) -> dict:
    args = parse_args("demos.attention", __doc__, argv)
    folder = out_dir(args)
    pyplot()  # fail early, before any training, if matplotlib is missing
    n_digits, steps = (5, 100) if args.quick else (8, 400)
    rng = np.random.default_rng(args.seed)
    model = TinyTransformer(2 * n_digits, rng=args.seed)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    print(f"Reversing {n_digits} digits: {2 * n_digits} tokens per sequence, a transformer of "
          f"one block (2 heads, width 32) with {model.num_parameters()} parameters; Adam "
          f"(lr 0.01), {steps} steps on fresh batches of 64.")
    losses = []
    with timer() as elapsed:
        for step in range(steps):
            tokens, targets = make_batch(n_digits, 64, rng)
            logits, _ = model(tokens)
            loss = nn.cross_entropy(logits, targets, ignore_index=IGNORE)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if step % (steps // 5) == 0:
                print(f"  step {step:>4}: loss {loss.item():.3f}")
    print(f"Trained in {elapsed():.1f} s: loss {losses[0]:.3f} -> {np.mean(losses[-20:]):.3f}.")

    test = np.random.default_rng(args.seed + 1).integers(0, 10, (500, n_digits))
    reversed_, weights = reverse_greedily(model, test)
    accuracy = float(np.mean(np.all(reversed_ == test[:, ::-1], axis=1)))
    digit_accuracy = float(np.mean(reversed_ == test[:, ::-1]))
    print(f"On 500 new strings: {accuracy:.1%} reversed exactly, {digit_accuracy:.1%} of the "
          f"digits right. For example {''.join(map(str, test[0]))} -> "
          f"{''.join(map(str, reversed_[0]))}.")

    # The attention of the last decoding step, averaged over heads and examples: each
    # position that predicts a reversed digit should look at the digit it copies.
    focus = float(weights.mean(axis=(0, 1))[copying(n_digits)].mean())
    print(f"Attention on the digit being copied, averaged over heads and output positions: "
          f"{focus:.0%}.")

    print("\nFiles:")
    example = np.concatenate([test[0], [SEP], reversed_[0]])[:-1]
    files = [plot_attention(weights[0], example, folder / "attention_map.png")]
    check(accuracy >= BAR, f"only {accuracy:.1%} of the strings were reversed exactly "
                           f"(the bar is {BAR:.0%})")
    check(focus >= 0.5, f"the attention on the copied digit is only {focus:.0%}")
    return {"accuracy": accuracy, "digit_accuracy": digit_accuracy, "focus": focus,
            "losses": losses, "seconds": elapsed(), "files": [str(f) for f in files],
            "png": str(files[0])}


if __name__ == "__main__":
    raise SystemExit(run(main))
