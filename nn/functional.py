"""`nn.functional`: the functions behind the layers, as `torch.nn.functional` has them.

    >>> import nn.functional as F
    >>> F.relu(x), F.cross_entropy(logits, labels)

Losses are defined in `nn.losses` and re-exported here; activations and the functions of
layers (convolution, pooling, normalisation, attention) compose the engine's ops.
"""
from __future__ import annotations

from autograd import Value  # noqa: F401  (used by the sections below)

from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                     cross_entropy, mse_loss)

# ---- activations -------------------------------------------------------------------------------


# ---- convolution and pooling ---------------------------------------------------------------------
from autograd import pad  # noqa: E402,F401  (the engine's torch.nn.functional.pad)


# ---- normalisation, embedding, attention, dropout ---------------------------------------------------
