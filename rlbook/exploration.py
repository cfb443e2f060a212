r"""Choosing actions while learning: epsilon-greedy, Boltzmann, and epsilon schedules.

Epsilon-greedy picks a uniformly random action with probability
:math:`\epsilon` and a greedy one otherwise, so every action keeps probability
at least :math:`\epsilon / |A|`:

.. math::

    \pi(a \mid s) = \frac{\epsilon}{|A|} + (1 - \epsilon)\,
        \mathbb{1}[a \in \arg\max_b Q(s, b)] \,/\, |\arg\max_b Q(s, b)|

Boltzmann (softmax) exploration weights actions by their estimated value,
:math:`\pi(a \mid s) \propto \exp(Q(s, a) / \tau)` with temperature
:math:`\tau`: near-equal actions get near-equal chances, clearly bad ones are
rarely tried.

Schedules are callables: an epsilon schedule maps the episode index
``k = 0, 1, ...`` to an exploration rate. (Step-size schedules, functions of
a pair's visit count, are in :mod:`rlbook.agent`.) Chapter 5 of the book.

Every function draws its randomness from the ``rng`` it is given (a
``numpy.random.Generator``) and only through ``rng.random()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.deprecated import module_getattr
from rlbook.envs.base import Categorical
from rlbook.validate import check_integer, check_positive, check_unit_interval

__all__ = [
    "boltzmann",
    "boltzmann_probabilities",
    "constant",
    "epsilon_greedy",
    "epsilon_greedy_probabilities",
    "exponential_decay",
    "greedy",
    "linear_decay",
]
__getattr__ = module_getattr(__name__)   # visit_step_size: moved to rlbook.agent, warns


def _row(q):
    """A Q row as a list of Python floats (the fast form for max / compare)."""
    return q.tolist() if isinstance(q, np.ndarray) else q


# --8<-- [start:greedy]
def greedy(q, rng=None, allowed=None):
    """An action with the largest value in ``q``, ties broken uniformly at random.

    Parameters
    ----------
    q : sequence of float, shape (n_actions,)
        The action values ``Q[s, :]`` of one state.
    rng : numpy.random.Generator, optional
        Breaks ties; without it the first best action is returned.
    allowed : sequence of int, optional
        Only these actions are considered (default: all).

    Returns
    -------
    int

    Examples
    --------
    >>> from rlbook.exploration import greedy
    >>> print(int(greedy([0.0, 2.0, 1.0])))
    1
    """
    q = _row(q)
    if allowed is None:
        best = max(q)
        if q.count(best) == 1:                    # the common case, decided in C
            return q.index(best)
        ties = [a for a, v in enumerate(q) if v == best]
    else:
        best = max(q[a] for a in allowed)
        ties = [a for a in allowed if q[a] == best]
    if len(ties) == 1 or rng is None:
        return ties[0]
    return ties[int(rng.random() * len(ties))]
# --8<-- [end:greedy]


# --8<-- [start:epsilon_greedy]
def epsilon_greedy(q, epsilon, rng, allowed=None):
    """With probability ``epsilon`` a uniformly random action, else a greedy one.

    Parameters
    ----------
    q : sequence of float, shape (n_actions,)
        The action values ``Q[s, :]`` of one state.
    epsilon : float in [0, 1]
    rng : numpy.random.Generator
        The source of every random choice, ties included.
    allowed : sequence of int, optional
        Only these actions are chosen from (default: all).

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> import rlbook
    >>> rng = np.random.default_rng(0)
    >>> print([int(rlbook.epsilon_greedy([0.0, 1.0, 0.5], 0.5, rng)) for _ in range(8)])
    [1, 0, 2, 1, 1, 1, 1, 1]
    """
    if epsilon > 0.0 and rng.random() < epsilon:             # explore
        actions = range(len(q)) if allowed is None else allowed
        return actions[int(rng.random() * len(actions))]
    return greedy(q, rng, allowed)                           # exploit
# --8<-- [end:epsilon_greedy]


def epsilon_greedy_probabilities(Q, epsilon, allowed=None):
    """The epsilon-greedy policy of ``Q`` as probabilities ``pi[s, a]``.

    Ties share the greedy mass equally, as :func:`epsilon_greedy` does.

    Parameters
    ----------
    Q : ndarray of shape (n_states, n_actions)
    epsilon : float in [0, 1]
    allowed : ndarray of bool, shape (n_states, n_actions), optional
        Forbidden actions get probability 0.

    Returns
    -------
    ndarray of shape (n_states, n_actions)

    Raises
    ------
    ValueError
        If ``epsilon`` is not in [0, 1] or ``allowed`` has the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.exploration import epsilon_greedy_probabilities
    >>> pi = epsilon_greedy_probabilities(np.array([[0.0, 1.0, 0.5]]), 0.3)
    >>> print(" ".join(f"{p:.2f}" for p in pi[0]))
    0.10 0.80 0.10
    """
    Q = np.asarray(Q, dtype=float)
    epsilon = check_unit_interval("epsilon", epsilon)
    mask = np.ones(Q.shape, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    if mask.shape != Q.shape:
        raise ValueError(f"allowed must have shape {Q.shape}; got {mask.shape}")
    masked = np.where(mask, Q, -np.inf)
    best = (masked == masked.max(axis=1, keepdims=True)) & mask
    n_allowed = np.maximum(mask.sum(axis=1, keepdims=True), 1)
    return (epsilon * mask / n_allowed
            + (1.0 - epsilon) * best / np.maximum(best.sum(axis=1, keepdims=True), 1))


# --8<-- [start:boltzmann]
def boltzmann_probabilities(q, temperature):
    """``pi(a) = exp(q[a] / temperature) / sum_b exp(q[b] / temperature)``.

    Parameters
    ----------
    q : array_like of shape (n_actions,) or (n_states, n_actions)
    temperature : float > 0
        High temperature: nearly uniform; low temperature: nearly greedy.

    Returns
    -------
    ndarray, same shape as ``q``

    Raises
    ------
    ValueError
        If ``temperature`` is not a positive number.

    Examples
    --------
    >>> from rlbook.exploration import boltzmann_probabilities
    >>> print(" ".join(f"{p:.3f}" for p in boltzmann_probabilities([1.0, 2.0, 3.0], temperature=1.0)))
    0.090 0.245 0.665
    """
    temperature = check_positive("temperature", temperature)
    h = np.asarray(q, dtype=float) / temperature
    z = np.exp(h - h.max(axis=-1, keepdims=True))    # shift by the max: no overflow
    return z / z.sum(axis=-1, keepdims=True)


def boltzmann(q, temperature, rng):
    """Sample an action from :func:`boltzmann_probabilities` (one uniform draw).

    Examples
    --------
    >>> import numpy as np
    >>> import rlbook
    >>> rng = np.random.default_rng(0)
    >>> print([int(rlbook.boltzmann([1.0, 2.0, 3.0], 0.5, rng)) for _ in range(8)])
    [2, 2, 1, 1, 2, 2, 2, 2]
    """
    return Categorical(boltzmann_probabilities(q, temperature)).sample(rng)
# --8<-- [end:boltzmann]


# -- schedules --------------------------------------------------------------

@dataclass(frozen=True)
class _Constant:
    value: float

    def __call__(self, k):
        return self.value


@dataclass(frozen=True)
class _LinearDecay:
    start: float
    end: float
    steps: int

    def __call__(self, k):
        if k >= self.steps:
            return self.end
        return self.start + (self.end - self.start) * k / self.steps


@dataclass(frozen=True)
class _ExponentialDecay:
    start: float
    end: float
    rate: float

    def __call__(self, k):
        return max(self.end, self.start * self.rate ** k)


def constant(value):
    """The schedule ``k -> value`` (a constant epsilon or step size).

    Raises
    ------
    ValueError
        If ``value`` is not in [0, 1].

    Examples
    --------
    >>> from rlbook.exploration import constant
    >>> schedule = constant(0.1)
    >>> print(schedule(0), schedule(1000))
    0.1 0.1
    """
    return _Constant(check_unit_interval("value", value))


def linear_decay(start, end, steps):
    """Go from ``start`` to ``end`` in a straight line over ``steps``, then stay at ``end``.

    Raises
    ------
    ValueError
        If ``start`` or ``end`` is not in [0, 1] or ``steps`` is not a positive integer.

    Examples
    --------
    >>> import rlbook
    >>> schedule = rlbook.linear_decay(1.0, 0.1, 3)
    >>> print(" ".join(f"{schedule(k):.2f}" for k in range(5)))
    1.00 0.70 0.40 0.10 0.10
    """
    start, end = check_unit_interval("start", start), check_unit_interval("end", end)
    return _LinearDecay(start, end, check_integer("steps", steps))


def exponential_decay(start, end, rate):
    """``k -> max(end, start * rate ** k)``: multiply by ``rate`` each episode.

    Raises
    ------
    ValueError
        If ``start`` or ``end`` is not in [0, 1] or ``rate`` is not in (0, 1].

    Examples
    --------
    >>> import rlbook
    >>> schedule = rlbook.exponential_decay(1.0, 0.05, 0.5)
    >>> print(" ".join(f"{schedule(k):.3f}" for k in range(6)))
    1.000 0.500 0.250 0.125 0.062 0.050
    """
    start, end = check_unit_interval("start", start), check_unit_interval("end", end)
    return _ExponentialDecay(start, end, check_unit_interval("rate", rate, open_low=True))


def as_schedule(name, value):
    """Turn a number in [0, 1] or a callable into a schedule callable.

    Raises
    ------
    ValueError
        If ``value`` is neither callable nor a number in [0, 1].
    """
    if callable(value):
        return value
    return _Constant(check_unit_interval(name, value))
