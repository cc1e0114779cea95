"""Seeded data and weights, generated once with numpy and handed to every system."""
import numpy as np

SEED = 0


def two_moons(n: int, noise: float = 0.1, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles with Gaussian noise, as in micrograd's demo.

    Returns ``X`` of shape (n, 2) and labels ``y`` in {-1, +1} (outer moon -1).
    """
    rng = np.random.default_rng(seed)
    n_outer = n // 2
    outer = np.linspace(0, np.pi, n_outer)
    inner = np.linspace(0, np.pi, n - n_outer)
    X = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], axis=1),
                        np.stack([1 - np.cos(inner), 0.5 - np.sin(inner)], axis=1)])
    X += noise * rng.standard_normal(X.shape)
    y = np.concatenate([-np.ones(n_outer), np.ones(n - n_outer)])
    return X, y


def mlp_weights(sizes: list[int], scale: float | None = None, dtype=np.float64,
                seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights ``W`` of shape (n_in, n_out) and biases ``b`` of shape (n_out,) per layer.

    Both are drawn from U(-s, s) with s = ``scale``, or 1/sqrt(n_in) (PyTorch's default
    range for ``nn.Linear``) when ``scale`` is None.
    """
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        s = scale if scale is not None else n_in ** -0.5
        layers.append((rng.uniform(-s, s, (n_in, n_out)).astype(dtype),
                       rng.uniform(-s, s, n_out).astype(dtype)))
    return layers
