r"""A small neural network in plain NumPy: dense layers, forward and backward written out.

A multilayer perceptron (MLP) with layer sizes ``[n_in, h_1, ..., n_out]`` computes

.. math::

    z_1 = x W_1 + b_1,\quad h_1 = f(z_1),\quad \dots,\quad
    y = h_{L-1} W_L + b_L,

with ``f`` = tanh or ReLU on the hidden layers and no activation on the output
(a scalar head for a value ``V(s)``, a vector head for action values ``Q(s, .)``
or logits). Rows of ``x`` are examples: ``x`` has shape (batch, n_in) and each
``W`` has shape (fan_in, fan_out).

Backpropagation is the chain rule applied layer by layer from the top, given
``dy = dL/dy`` of shape (batch, n_out):

.. math::

    \frac{\partial L}{\partial W_l} = h_{l-1}^\top \delta_l,\quad
    \frac{\partial L}{\partial b_l} = \textstyle\sum_{\text{rows}} \delta_l,\quad
    \delta_{l-1} = (\delta_l W_l^\top) \odot f'(z_{l-1}),

starting from ``delta_L = dy``. The tests check every gradient against central
finite differences.

What else a deep RL learner needs is here too, each as its reference defines it:

* **initialisation**: ``"torch"``, PyTorch's default for ``nn.Linear`` (weights
  and biases uniform in ``+-1/sqrt(fan_in)``), what Stable-Baselines3's DQN
  uses; ``"orthogonal"``, orthogonal weights scaled by a gain and zero biases,
  what CleanRL's and Stable-Baselines3's PPO use (gain ``sqrt(2)`` on hidden
  layers, 0.01 on a policy head, 1 on a value head);
* **optimisers**: :class:`SGD` and :class:`Adam` (Kingma and Ba 2015, with
  PyTorch's defaults ``betas = (0.9, 0.999)``, ``eps = 1e-8``);
* :func:`clip_grad_norm`: scale all gradients together so that their global
  L2 norm is at most ``max_norm`` (PyTorch's ``clip_grad_norm_``);
* losses with their gradients: :func:`mse_loss` and :func:`huber_loss`
  (PyTorch's ``smooth_l1_loss`` with ``beta = 1``, the loss DQN uses);
* :meth:`MLP.copy` and :meth:`MLP.load`: a frozen copy of the parameters for
  a target network, refreshed on a schedule (or softly with ``tau < 1``).

Chapter 7 of the book builds DQN on it; chapter 9's actor-critic uses it too.
"""

from __future__ import annotations

import numpy as np

from rlbook.validate import check_integer, check_positive, check_rng, check_unit_interval

__all__ = ["MLP", "SGD", "Adam", "clip_grad_norm", "huber_loss", "mse_loss"]

ACTIVATIONS = ("tanh", "relu")
INITS = ("torch", "orthogonal")


def _orthogonal(fan_in, fan_out, gain, rng):
    """Orthogonal matrix of shape (fan_in, fan_out) times ``gain`` (Saxe et al. 2014).

    As ``torch.nn.init.orthogonal_``: QR of a Gaussian matrix, with the signs of
    R's diagonal moved into Q so that the result is uniformly distributed.
    """
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if fan_in < fan_out:
        q = q.T
    return gain * q


class MLP:
    """A multilayer perceptron ``sizes[0] -> ... -> sizes[-1]``, activation on hidden layers only.

    Parameters
    ----------
    sizes : sequence of int, length >= 2
        Layer widths, input first. ``[4, 64, 64, 2]``: 4 inputs, two hidden
        layers of 64, 2 outputs. ``[n, 1]`` is a linear model.
    activation : {"tanh", "relu"}, default "relu"
    init : {"torch", "orthogonal"}, default "torch"
        ``"torch"``: W and b uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.
        ``"orthogonal"``: orthogonal W times ``gain`` (hidden layers) or
        ``out_gain`` (last layer), b = 0.
    gain : float, default sqrt(2)
        Gain of the hidden layers with ``init="orthogonal"``.
    out_gain : float, default 1.0
        Gain of the output layer with ``init="orthogonal"`` (0.01 for a
        policy's logits, 1 for a value).
    seed : int, optional
    rng : numpy.random.Generator, optional
        Where the initial weights come from (give one of ``seed``, ``rng``).

    Attributes
    ----------
    params : list of ndarray
        ``[W_1, b_1, ..., W_L, b_L]``, ``W_l`` of shape (sizes[l-1], sizes[l]),
        ``b_l`` of shape (sizes[l],). Optimisers update them in place.

    Raises
    ------
    ValueError
        If ``sizes``, ``activation``, ``init`` or a gain is not valid.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.nn import MLP
    >>> net = MLP([4, 16, 2], seed=0)
    >>> y, cache = net.forward(np.zeros((3, 4)))
    >>> print(y.shape, net.n_params)
    (3, 2) 114
    """

    def __init__(self, sizes, *, activation="relu", init="torch", gain=np.sqrt(2.0),
                 out_gain=1.0, seed=None, rng=None):
        sizes = list(sizes) if np.ndim(sizes) == 1 else None
        if sizes is None or len(sizes) < 2:
            raise ValueError("sizes must list at least two layer widths, input first")
        self.sizes = [check_integer(f"sizes[{i}]", n) for i, n in enumerate(sizes)]
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}; got {init!r}")
        gain = check_positive("gain", gain)
        out_gain = check_positive("out_gain", out_gain)
        self.activation = activation
        rng = check_rng(seed, rng)
        self.params = []
        n_layers = len(self.sizes) - 1
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            if init == "torch":
                bound = 1.0 / np.sqrt(fan_in)
                W = rng.uniform(-bound, bound, size=(fan_in, fan_out))
                b = rng.uniform(-bound, bound, size=fan_out)
            else:
                W = _orthogonal(fan_in, fan_out, out_gain if l == n_layers - 1 else gain, rng)
                b = np.zeros(fan_out)
            self.params += [W, b]

    # --8<-- [start:forward]
    def forward(self, x):
        """Output for inputs ``x`` of shape (batch, n_in) or (n_in,), and the cache for backward.

        Returns
        -------
        y : ndarray of shape (batch, n_out), or (n_out,) for one input
        cache : list
            The input of each layer and each hidden pre-activation ``z``.
        """
        h = np.asarray(x, dtype=float)
        cache = []
        n_layers = len(self.params) // 2
        for l in range(n_layers):
            W, b = self.params[2 * l], self.params[2 * l + 1]
            z = h @ W + b
            cache.append((h, z))
            if l < n_layers - 1:                     # hidden layer: activation
                h = np.tanh(z) if self.activation == "tanh" else np.maximum(z, 0.0)
            else:                                    # output layer: linear
                h = z
        return h, cache
    # --8<-- [end:forward]

    # --8<-- [start:backward]
    def backward(self, cache, dy):
        """Gradients of a loss ``L`` with respect to ``params``, given ``dy = dL/dy``.

        Parameters
        ----------
        cache : list
            From :meth:`forward` on the same parameters.
        dy : ndarray, shape of the output ``y``

        Returns
        -------
        list of ndarray
            ``[dL/dW_1, dL/db_1, ...]``, each of the shape of its parameter.
        """
        grads = [None] * len(self.params)
        delta = np.asarray(dy, dtype=float)          # dL/dz of the current layer
        for l in reversed(range(len(cache))):
            h_in, _ = cache[l]
            W = self.params[2 * l]
            if h_in.ndim == 1:                       # one input: outer product
                grads[2 * l] = np.outer(h_in, delta)
                grads[2 * l + 1] = delta.copy()
            else:
                grads[2 * l] = h_in.T @ delta
                grads[2 * l + 1] = delta.sum(axis=0)
            if l > 0:
                delta = delta @ W.T                  # dL/dh of the layer below
                z_below = cache[l - 1][1]
                if self.activation == "tanh":
                    delta = delta * (1.0 - np.tanh(z_below) ** 2)
                else:
                    delta = delta * (z_below > 0)
        return grads
    # --8<-- [end:backward]

    def __call__(self, x):
        """The output only: ``forward(x)[0]``."""
        return self.forward(x)[0]

    def copy(self) -> "MLP":
        """A new network with copies of these parameters (a target network starts so)."""
        other = object.__new__(MLP)
        other.sizes = list(self.sizes)
        other.activation = self.activation
        other.params = [p.copy() for p in self.params]
        return other

    def load(self, source: "MLP", tau=1.0) -> None:
        """Set ``params <- tau * source.params + (1 - tau) * params`` in place.

        ``tau = 1`` (the default) copies ``source`` exactly: DQN's periodic
        target update. ``0 < tau < 1`` is a soft (Polyak) update.

        Raises
        ------
        ValueError
            If ``source`` has other layer sizes, or ``tau`` is not in (0, 1].
        """
        if not isinstance(source, MLP) or source.sizes != self.sizes:
            raise ValueError(f"source must be an MLP with sizes {self.sizes}; "
                             f"got {getattr(source, 'sizes', source)!r}")
        tau = check_unit_interval("tau", tau, open_low=True)
        for p, q in zip(self.params, source.params):
            if tau == 1:
                p[...] = q
            else:
                p *= 1.0 - tau
                p += tau * q

    @property
    def n_params(self) -> int:
        """Number of scalar parameters."""
        return sum(p.size for p in self.params)


# --8<-- [start:losses]
def mse_loss(pred, target):
    """Mean squared error ``mean((pred - target)**2) / 2`` and its gradient in ``pred``.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.nn import mse_loss
    >>> loss, grad = mse_loss(np.array([1.0, 3.0]), np.array([1.0, 1.0]))
    >>> print(f"{loss:.2f}", " ".join(f"{g:.2f}" for g in grad))
    1.00 0.00 1.00
    """
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return 0.5 * np.mean(diff ** 2), diff / diff.size


def huber_loss(pred, target, delta=1.0):
    """Huber loss, mean over elements, and its gradient in ``pred``.

    Quadratic ``d**2 / 2`` for ``|d| <= delta``, linear ``delta * (|d| - delta / 2)``
    beyond, with ``d = pred - target``: the gradient is ``d`` clipped to
    ``[-delta, delta]``, so one large TD error cannot make a huge step. With
    ``delta = 1`` it is PyTorch's ``smooth_l1_loss`` (what DQN implementations use).

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.nn import huber_loss
    >>> loss, grad = huber_loss(np.array([1.0, 3.0]), np.array([1.0, 1.0]))
    >>> print(f"{loss:.2f}", " ".join(f"{g:.2f}" for g in grad))
    0.75 0.00 0.50
    """
    d = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    a = np.abs(d)
    loss = np.where(a <= delta, 0.5 * d ** 2, delta * (a - 0.5 * delta))
    return loss.mean(), np.clip(d, -delta, delta) / d.size
# --8<-- [end:losses]


def clip_grad_norm(grads, max_norm):
    """Scale ``grads`` in place so that their global L2 norm is at most ``max_norm``.

    As PyTorch's ``clip_grad_norm_``: the norm is taken over all arrays
    together, and every array is multiplied by ``max_norm / (norm + 1e-6)``
    when that is below 1.

    Returns
    -------
    float
        The global norm before clipping.

    Raises
    ------
    ValueError
        If ``max_norm`` is not a positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.nn import clip_grad_norm
    >>> grads = [np.array([3.0, 4.0])]
    >>> norm = clip_grad_norm(grads, 1.0)
    >>> print(f"{norm:.1f}", " ".join(f"{g:.2f}" for g in grads[0]))
    5.0 0.60 0.80
    """
    max_norm = check_positive("max_norm", max_norm)
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
    scale = max_norm / (norm + 1e-6)
    if scale < 1:
        for g in grads:
            g *= scale
    return norm


class SGD:
    """Plain gradient descent: ``p <- p - lr * g`` for each parameter, in place.

    Parameters
    ----------
    params : list of ndarray
        Usually ``net.params``.
    lr : float > 0

    Raises
    ------
    ValueError
        If ``lr`` is not a positive number.
    """

    def __init__(self, params, lr):
        self.params = params
        self.lr = check_positive("lr", lr)

    def step(self, grads):
        """One update with ``grads`` (same order and shapes as ``params``)."""
        for p, g in zip(self.params, grads):
            p -= self.lr * g


class Adam:
    r"""Adam (Kingma and Ba 2015), as PyTorch implements it, updating ``params`` in place.

    With gradient ``g`` at step ``t = 1, 2, ...``:

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g,\quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2,\quad
        p \leftarrow p - \text{lr}\,
            \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \text{eps}}.

    Parameters
    ----------
    params : list of ndarray
    lr : float > 0, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float > 0, default 1e-8 (PyTorch's; Stable-Baselines3's PPO passes 1e-5)

    Raises
    ------
    ValueError
        If ``lr`` or ``eps`` is not positive, or a beta is not in [0, 1).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = params
        self.lr = check_positive("lr", lr)
        self.eps = check_positive("eps", eps)
        self.beta1, self.beta2 = (check_unit_interval(f"betas[{i}]", beta, open_high=True)
                                  for i, beta in enumerate(betas))
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        """One update with ``grads`` (same order and shapes as ``params``)."""
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
