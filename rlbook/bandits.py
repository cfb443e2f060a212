r"""k-armed bandits, many independent runs at once: estimates, exploration and regret.

A bandit has one state and ``k`` arms; pulling arm ``a`` pays a reward whose mean is
:math:`q_*(a)`. Every function here runs ``n_runs`` independent bandit problems side by
side, as NumPy arrays of shape ``(n_runs, k)``, so Sutton and Barto's 10-armed testbed
(2,000 runs of 1,000 steps) takes a fraction of a second per method.

Action-value estimates are updated incrementally,

.. math::

    Q_{n+1} = Q_n + \alpha_n (r_n - Q_n),

with :math:`\alpha_n = 1/n` (the sample average) or a constant :math:`\alpha`, which weighs
the :math:`i`-th of :math:`n` rewards by :math:`\alpha (1 - \alpha)^{n-i}` and the initial
value by :math:`(1 - \alpha)^n`, so it follows an arm whose mean drifts.

The methods, each one public function that reads like its pseudocode:
:func:`epsilon_greedy_bandit` (greedy at ``epsilon=0``; optimistic initial values with
``q_init``), :func:`ucb_bandit` (bonus :math:`c \sqrt{\ln t / N(a)}`, untried arms first),
:func:`thompson_bandit` (Beta-Bernoulli or Gaussian with known noise) and
:func:`gradient_bandit` (soft-max preferences; its expected step is
:func:`rlbook.bandit_update`, chapter 8's exact policy-gradient step). Ties are broken
uniformly at random. Expected regret :math:`\sum_t (\max_a q_*(a) - q_*(a_t))` is measured
from the true means. Chapter 6 of the book.

Each method takes ``seed``: the world's rewards and the agent's choices come from two
independent streams spawned from it (:func:`rlbook.agent.streams`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.agent import streams
from rlbook.policies import softmax
from rlbook.validate import (
    check_choice,
    check_integer,
    check_positive,
    check_unit_interval,
)

__all__ = [
    "BanditResult",
    "BanditTestbed",
    "argmax_random",
    "beta_posterior",
    "epsilon_greedy_bandit",
    "gaussian_posterior",
    "gradient_bandit",
    "incremental_estimates",
    "preference_update",
    "recency_weights",
    "thompson_bandit",
    "ucb_bandit",
    "ucb_scores",
]


# -- the world ----------------------------------------------------------------
@dataclass(frozen=True)
class BanditTestbed:
    """``n_runs`` independent k-armed bandits: true means, reward noise and drift.

    Parameters
    ----------
    q_star : array_like of shape (n_runs, k)
        The true mean reward of each arm in each run (Bernoulli: the success probability).
    noise : float >= 0, default 1.0
        The standard deviation of a Gaussian reward around its mean (ignored if Bernoulli).
    drift : float or array_like of shape (k,), default 0.0
        Each step, each arm's mean takes a Gaussian random-walk step of this size.
    trend : float or array_like of shape (k,), default 0.0
        Each step, each arm's mean also moves by this much (a steadily drifting arm).
    bernoulli : bool, default False
        Rewards are 1 with probability ``q_star`` and 0 otherwise.

    Raises
    ------
    ValueError
        If ``q_star`` is not 2-D, ``noise`` or ``drift`` is negative, a shape is wrong, or
        a Bernoulli mean is outside [0, 1].

    Examples
    --------
    >>> world = BanditTestbed([[0.0, 1.0]])
    >>> world.n_runs, world.k
    (1, 2)
    """

    q_star: np.ndarray
    noise: float = 1.0
    drift: np.ndarray | float = 0.0
    trend: np.ndarray | float = 0.0
    bernoulli: bool = False

    def __post_init__(self):
        q = np.array(self.q_star, dtype=float)
        if q.ndim != 2 or q.shape[1] < 1 or not np.isfinite(q).all():
            raise ValueError(f"q_star must be a finite array of shape (n_runs, k); got shape "
                             f"{q.shape}")
        if self.bernoulli and ((q < 0) | (q > 1)).any():
            raise ValueError("q_star must be in [0, 1] for Bernoulli arms")
        for name in ("drift", "trend"):
            value = np.array(getattr(self, name), dtype=float)
            if value.ndim > 1 or value.size not in (1, q.shape[1]):
                raise ValueError(f"{name} must be a number or have shape ({q.shape[1]},); "
                                 f"got shape {value.shape}")
            object.__setattr__(self, name, np.broadcast_to(value, (q.shape[1],)).copy())
        if (self.drift < 0).any():
            raise ValueError(f"drift must be non-negative; got {self.drift.tolist()}")
        object.__setattr__(self, "noise", check_positive("noise", self.noise, allow_zero=True))
        object.__setattr__(self, "q_star", q)

    @property
    def n_runs(self) -> int:
        return self.q_star.shape[0]

    @property
    def k(self) -> int:
        return self.q_star.shape[1]

    @property
    def stationary(self) -> bool:
        return not (self.drift.any() or self.trend.any())

    def pull(self, q, best, actions, rng):
        """Rewards and expected regret of ``actions`` (one per run) under the current means.

        ``q`` (n_runs, k) is the runner's copy of the means and ``best`` (n_runs,) its row
        maxima; both are updated in place when the arms drift. One draw of ``n_runs``
        numbers per step (plus ``n_runs * k`` if drifting).
        """
        means = q[np.arange(len(actions)), actions]
        if self.bernoulli:
            rewards = (rng.random(len(actions)) < means).astype(float)
        else:
            rewards = means + self.noise * rng.standard_normal(len(actions))
        regret = best - means
        if not self.stationary:
            q += self.trend + self.drift * rng.standard_normal(q.shape)
            best[:] = q.max(axis=1)
        return rewards, regret


@dataclass(frozen=True)
class BanditResult:
    """What ``n_runs`` runs of ``steps`` pulls did.

    Attributes
    ----------
    rewards : ndarray of shape (n_runs, steps)
        The reward of each pull.
    regret : ndarray of shape (n_runs, steps)
        Expected regret of each pull, ``max_a q*(a) - q*(a_t)`` at the time of the pull.
    actions : ndarray of int, shape (n_runs, steps)
    Q : ndarray of shape (n_runs, k)
        The final estimates (preferences ``H`` for the gradient bandit, posterior means for
        Thompson sampling).
    counts : ndarray of int, shape (n_runs, k)
        How often each arm was pulled.
    """

    rewards: np.ndarray
    regret: np.ndarray
    actions: np.ndarray
    Q: np.ndarray
    counts: np.ndarray

    @property
    def average_reward(self) -> np.ndarray:
        """Mean reward over runs at each step, shape (steps,)."""
        return self.rewards.mean(axis=0)

    @property
    def optimal_fraction(self) -> np.ndarray:
        """Share of runs whose pull at each step was an optimal arm, shape (steps,)."""
        return (self.regret == 0).mean(axis=0)

    @property
    def cumulative_regret(self) -> np.ndarray:
        """Mean over runs of the expected regret summed up to each step, shape (steps,)."""
        return self.regret.cumsum(axis=1).mean(axis=0)


class _Record:
    """The arrays a run fills in, step by step."""

    def __init__(self, world, steps, seed):
        self.steps = check_integer("steps", steps)
        world_seed, self.rng = streams(seed)
        self.world_rng = np.random.default_rng(world_seed)
        self.world = world
        self.q = world.q_star.copy()
        self.best = self.q.max(axis=1)
        self.rows = np.arange(world.n_runs)
        self.counts = np.zeros((world.n_runs, world.k), dtype=int)
        self.rewards = np.empty((world.n_runs, self.steps))
        self.regret = np.empty((world.n_runs, self.steps))
        self.actions = np.empty((world.n_runs, self.steps), dtype=int)

    def pull(self, t, actions):
        rewards, self.regret[:, t] = self.world.pull(self.q, self.best, actions, self.world_rng)
        self.rewards[:, t], self.actions[:, t] = rewards, actions
        self.counts[self.rows, actions] += 1
        return rewards

    def result(self, Q):
        return BanditResult(self.rewards, self.regret, self.actions, Q, self.counts)


def _world(world):
    if not isinstance(world, BanditTestbed):
        raise ValueError(f"world must be a BanditTestbed; got {type(world).__name__}")
    return world


def _step_size(alpha):
    return None if alpha is None else check_unit_interval("alpha", alpha, open_low=True)


# -- estimates ------------------------------------------------------------------
# --8<-- [start:argmax_random]
def argmax_random(values, rng):
    """Each row's largest entry, ties broken uniformly at random.

    Parameters
    ----------
    values : ndarray of shape (n_runs, k)
    rng : numpy.random.Generator
        Draws ``(n_tied, k)`` uniforms for the ``n_tied`` rows with more than one best entry
        (none when no row has a tie).

    Returns
    -------
    ndarray of int, shape (n_runs,)

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.bandits import argmax_random
    >>> print(argmax_random(np.array([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0]]), np.random.default_rng(0)).tolist())
    [1, 0]
    """
    rows = np.arange(len(values))
    actions = values.argmax(axis=1)                # the first best entry of each row
    best = values == values[rows, actions][:, None]
    tied = np.flatnonzero(best[:, ::-1].argmax(axis=1) != values.shape[1] - 1 - actions)
    if tied.size:                                  # a random best entry in each tied row
        actions[tied] = np.argmax(best[tied] * rng.random((tied.size, values.shape[1])), axis=1)
    return actions
# --8<-- [end:argmax_random]


# --8<-- [start:update_estimates]
def _update_estimates(Q, counts, rows, actions, rewards, alpha):
    """``Q[a] += step * (r - Q[a])`` for the pulled arm of each run (counts already updated).

    The step is ``1 / N(a)`` (the sample average) when ``alpha`` is None, else ``alpha``.
    """
    step = 1.0 / counts[rows, actions] if alpha is None else alpha
    Q[rows, actions] += step * (rewards - Q[rows, actions])
# --8<-- [end:update_estimates]


def incremental_estimates(rewards, *, alpha=None, q_init=0.0):
    """The estimate of one arm after each of its rewards, by the incremental update.

    Parameters
    ----------
    rewards : array_like of shape (n,)
        The arm's rewards in the order they came.
    alpha : float in (0, 1], optional
        A constant step size; by default ``1/n``, which gives the running mean.
    q_init : float, default 0.0
        The estimate before the first reward (forgotten at once when ``alpha`` is None).

    Returns
    -------
    ndarray of shape (n,)
        ``Q_2, ..., Q_{n+1}``: the estimate after 1, 2, ..., n rewards.

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1].

    Examples
    --------
    >>> incremental_estimates([1.0, 2.0, 6.0]).tolist()
    [1.0, 1.5, 3.0]
    """
    alpha = _step_size(alpha)
    rewards = np.asarray(rewards, dtype=float)
    Q, counts, zero = np.full((1, 1), float(q_init)), np.zeros((1, 1), dtype=int), np.zeros(1, int)
    out = np.empty(len(rewards))
    for i, r in enumerate(rewards):
        counts[0, 0] += 1
        _update_estimates(Q, counts, zero, zero, r, alpha)
        out[i] = Q[0, 0]
    return out


def recency_weights(n, alpha):
    """The weights a constant step size puts on the initial value and on each reward.

    After ``n`` rewards, ``Q_{n+1} = (1 - alpha)^n Q_1 + sum_i alpha (1 - alpha)^(n - i) r_i``.

    Parameters
    ----------
    n : int >= 0
    alpha : float in (0, 1]

    Returns
    -------
    initial : float
        ``(1 - alpha) ** n``, the weight left on ``Q_1``.
    weights : ndarray of shape (n,)
        ``alpha * (1 - alpha) ** (n - i)`` for ``i = 1, ..., n``; with ``initial`` they sum to 1.

    Raises
    ------
    ValueError
        If ``n`` is not a non-negative integer or ``alpha`` not in (0, 1].

    Examples
    --------
    >>> from rlbook.bandits import recency_weights
    >>> initial, rewards = recency_weights(3, 0.5)
    >>> print(f"{float(initial):.3f}", " ".join(f"{w:.3f}" for w in rewards))
    0.125 0.125 0.250 0.500
    """
    n = check_integer("n", n, minimum=0)
    alpha = check_unit_interval("alpha", alpha, open_low=True)
    return (1 - alpha) ** n, alpha * (1 - alpha) ** (n - np.arange(1, n + 1))


# -- epsilon-greedy, optimistic initial values ------------------------------------
# --8<-- [start:epsilon_greedy_bandit]
def epsilon_greedy_bandit(world, steps, *, epsilon, alpha=None, q_init=0.0, seed=None):
    """Epsilon-greedy on every run at once: explore with probability ``epsilon``, else greedy.

    Parameters
    ----------
    world : BanditTestbed
    steps : int
    epsilon : float in [0, 1]
        0 is the purely greedy learner.
    alpha : float in (0, 1], optional
        Constant step size; sample averages (``1/N(a)``) by default.
    q_init : float, default 0.0
        Initial estimates; a value above every ``q*`` is "optimistic".
    seed : int, optional

    Returns
    -------
    BanditResult

    Raises
    ------
    ValueError
        If ``world`` is not a BanditTestbed, ``steps`` not a positive integer,
        ``epsilon`` not in [0, 1] or ``alpha`` not in (0, 1].

    Examples
    --------
    >>> from rlbook.bandits import epsilon_greedy_bandit
    >>> from rlbook.problems import ten_armed_testbed
    >>> result = epsilon_greedy_bandit(ten_armed_testbed(20, seed=0), 100, epsilon=0.1, seed=0)
    >>> print(result.rewards.shape, f"{result.rewards[:, -50:].mean():.2f}")
    (20, 100) 0.98
    """
    world, epsilon, alpha = _world(world), check_unit_interval("epsilon", epsilon), _step_size(alpha)
    run = _Record(world, steps, seed)
    Q = np.full((world.n_runs, world.k), float(q_init))
    for t in range(run.steps):
        explore = run.rng.random(world.n_runs) < epsilon
        actions = np.where(explore, run.rng.integers(world.k, size=world.n_runs),
                           argmax_random(Q, run.rng))
        rewards = run.pull(t, actions)
        _update_estimates(Q, run.counts, run.rows, actions, rewards, alpha)
    return run.result(Q)
# --8<-- [end:epsilon_greedy_bandit]


# -- upper confidence bounds -------------------------------------------------------
# --8<-- [start:ucb_scores]
def ucb_scores(Q, counts, t, c):
    """``Q[a] + c * sqrt(ln t / N(a))``, and ``+inf`` for an arm never pulled.

    Parameters
    ----------
    Q : ndarray of shape (n_runs, k)
    counts : ndarray of int, shape (n_runs, k)
    t : int >= 1
        The step about to be taken, counted from 1.
    c : float >= 0

    Returns
    -------
    ndarray of shape (n_runs, k)

    Raises
    ------
    ValueError
        If ``t`` is not a positive integer or ``c`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.bandits import ucb_scores
    >>> print(" ".join(f"{s:.2f}" for s in ucb_scores(np.array([1.0, 0.5, 0.0]), np.array([4, 1, 0]), 5, 2.0)))
    2.27 3.04 inf
    """
    t, c = check_integer("t", t), check_positive("c", c, allow_zero=True)
    tried = counts > 0
    bonus = c * np.sqrt(np.log(t) / np.where(tried, counts, 1))
    return np.where(tried, Q + bonus, np.inf)
# --8<-- [end:ucb_scores]


# --8<-- [start:ucb_bandit]
def ucb_bandit(world, steps, *, c=2.0, alpha=None, seed=None):
    """Upper-confidence-bound action selection (UCB1 with exploration weight ``c``).

    Each run pulls its untried arms first (in random order), then the arm with the largest
    :func:`ucb_scores`.

    Parameters
    ----------
    world : BanditTestbed
    steps : int
    c : float >= 0, default 2.0
    alpha : float in (0, 1], optional
        Constant step size; sample averages by default.
    seed : int, optional

    Returns
    -------
    BanditResult

    Raises
    ------
    ValueError
        If ``c`` is negative, or as :func:`epsilon_greedy_bandit`.

    Examples
    --------
    >>> from rlbook.bandits import ucb_bandit
    >>> from rlbook.problems import ten_armed_testbed
    >>> result = ucb_bandit(ten_armed_testbed(20, seed=0), 100, c=2.0, seed=0)
    >>> print(result.rewards.shape, f"{result.rewards[:, -50:].mean():.2f}")
    (20, 100) 0.94
    """
    world, alpha = _world(world), _step_size(alpha)
    c = check_positive("c", c, allow_zero=True)
    run = _Record(world, steps, seed)
    Q = np.zeros((world.n_runs, world.k))
    for t in range(run.steps):
        actions = argmax_random(ucb_scores(Q, run.counts, t + 1, c), run.rng)
        rewards = run.pull(t, actions)
        _update_estimates(Q, run.counts, run.rows, actions, rewards, alpha)
    return run.result(Q)
# --8<-- [end:ucb_bandit]


# -- Thompson sampling ---------------------------------------------------------------
# --8<-- [start:posteriors]
def beta_posterior(successes, failures, *, prior=(1.0, 1.0)):
    """Beta posterior of a Bernoulli arm's success probability: ``(a0 + S, b0 + F)``.

    Parameters
    ----------
    successes, failures : array_like of int
        Counts of rewards 1 and 0, any shape.
    prior : (float, float), default (1, 1)
        The Beta prior's ``(a0, b0)``; ``(1, 1)`` is uniform.

    Returns
    -------
    a, b : ndarray, the shape of the counts

    Raises
    ------
    ValueError
        If a prior parameter is not positive.

    Examples
    --------
    >>> from rlbook.bandits import beta_posterior
    >>> a, b = beta_posterior(3, 1)
    >>> print(f"{float(a):.0f} {float(b):.0f}")
    4 2
    """
    a0, b0 = (check_positive(f"prior[{i}]", p) for i, p in enumerate(prior))
    return a0 + np.asarray(successes, dtype=float), b0 + np.asarray(failures, dtype=float)


def gaussian_posterior(counts, reward_sums, *, noise=1.0, prior_mean=0.0, prior_sd=1.0):
    """Normal posterior of a Gaussian arm's mean, rewards with known noise ``noise``.

    Precisions add: ``1 / sd_n^2 = 1 / prior_sd^2 + n / noise^2``, and the posterior mean is
    the precision-weighted average ``sd_n^2 (prior_mean / prior_sd^2 + sum r / noise^2)``.

    Parameters
    ----------
    counts : array_like of int
        How many rewards each arm has paid, any shape.
    reward_sums : array_like of float
        Their sums, the shape of ``counts``.
    noise, prior_sd : float > 0
    prior_mean : float

    Returns
    -------
    mean, sd : ndarray, the shape of ``counts``

    Raises
    ------
    ValueError
        If ``noise`` or ``prior_sd`` is not positive.

    Examples
    --------
    >>> from rlbook.bandits import gaussian_posterior
    >>> mean, sd = gaussian_posterior(3, 6.0)
    >>> print(f"{float(mean):.2f} {float(sd):.2f}")
    1.50 0.50
    """
    noise, prior_sd = check_positive("noise", noise), check_positive("prior_sd", prior_sd)
    precision = 1.0 / prior_sd**2 + np.asarray(counts, dtype=float) / noise**2
    mean = (prior_mean / prior_sd**2 + np.asarray(reward_sums, dtype=float) / noise**2) / precision
    return mean, 1.0 / np.sqrt(precision)
# --8<-- [end:posteriors]


# --8<-- [start:thompson_bandit]
def thompson_bandit(world, steps, *, model="bernoulli", prior_mean=0.0, prior_sd=1.0,
                    seed=None):
    """Thompson sampling: draw one mean per arm from its posterior, pull the largest draw.

    Parameters
    ----------
    world : BanditTestbed
        Bernoulli arms for ``model="bernoulli"``.
    steps : int
    model : {"bernoulli", "gaussian"}
        Beta(1 + successes, 1 + failures) posteriors, or Normal ones with the world's
        known ``noise`` and a Normal(``prior_mean``, ``prior_sd``) prior.
    prior_mean, prior_sd : float
        The Gaussian model's prior.
    seed : int, optional

    Returns
    -------
    BanditResult
        ``Q`` holds the posterior means.

    Raises
    ------
    ValueError
        If ``model`` is unknown, ``model="bernoulli"`` on a world whose arms are not
        Bernoulli, ``model="gaussian"`` on a world without noise, or as
        :func:`epsilon_greedy_bandit`.

    Examples
    --------
    >>> from rlbook.bandits import thompson_bandit
    >>> from rlbook.problems import bernoulli_bandit
    >>> result = thompson_bandit(bernoulli_bandit([0.2, 0.8], n_runs=20), 100, seed=0)
    >>> print(f"share of pulls on the better arm, last 50: {(result.actions[:, -50:] == 1).mean():.2f}")
    share of pulls on the better arm, last 50: 0.99
    """
    world = _world(world)
    check_choice("model", model, {"bernoulli", "gaussian"})
    if model == "bernoulli" and not world.bernoulli:
        raise ValueError("model='bernoulli' needs a world with bernoulli=True")
    run = _Record(world, steps, seed)
    sums = np.zeros((world.n_runs, world.k))
    for t in range(run.steps):
        if model == "bernoulli":
            a, b = beta_posterior(sums, run.counts - sums)
            draws = run.rng.beta(a, b)
        else:
            mean, sd = gaussian_posterior(run.counts, sums, noise=world.noise,
                                          prior_mean=prior_mean, prior_sd=prior_sd)
            draws = mean + sd * run.rng.standard_normal(mean.shape)
        actions = argmax_random(draws, run.rng)
        sums[run.rows, actions] += run.pull(t, actions)
    if model == "bernoulli":
        a, b = beta_posterior(sums, run.counts - sums)
        return run.result(a / (a + b))
    return run.result(gaussian_posterior(run.counts, sums, noise=world.noise,
                                         prior_mean=prior_mean, prior_sd=prior_sd)[0])
# --8<-- [end:thompson_bandit]


# -- the gradient bandit ----------------------------------------------------------------
# --8<-- [start:preference_update]
def preference_update(H, actions, rewards, baseline, alpha, pi=None):
    """One gradient-bandit step on the preferences ``H`` (n_runs, k), in place.

    ``H[a] += alpha (r - b) (1 - pi(a))`` for the pulled arm and
    ``H[j] -= alpha (r - b) pi(j)`` for the others: ``alpha (r - b) grad log pi(a)``, a
    one-sample REINFORCE step whose expectation over ``a ~ pi`` is
    :func:`rlbook.bandit_update`'s exact gradient. ``pi`` is ``softmax(H)``, computed if
    not given.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.bandits import preference_update
    >>> H = np.zeros((1, 3))
    >>> preference_update(H, np.array([0]), np.array([1.0]), np.array([0.0]), 0.1)
    >>> print(" ".join(f"{h:+.4f}" for h in H[0]))
    +0.0667 -0.0333 -0.0333
    """
    pi = softmax(H) if pi is None else pi
    step = alpha * (rewards - baseline)[:, None]
    H -= step * pi
    H[np.arange(len(actions)), actions] += step[:, 0]
# --8<-- [end:preference_update]


# --8<-- [start:gradient_bandit]
def gradient_bandit(world, steps, *, alpha, baseline=True, seed=None):
    """The gradient bandit algorithm: soft-max over preferences, stochastic gradient ascent.

    Parameters
    ----------
    world : BanditTestbed
    steps : int
    alpha : float > 0
        Step size of the preferences.
    baseline : bool, default True
        Subtract the mean of the rewards before this one (Sutton and Barto's
        :math:`\\bar R_t`; the first reward is its own baseline); without it the baseline is 0.
    seed : int, optional

    Returns
    -------
    BanditResult
        ``Q`` holds the final preferences ``H``.

    Raises
    ------
    ValueError
        If ``alpha`` is not positive, ``baseline`` not a bool, or as
        :func:`epsilon_greedy_bandit`.

    Examples
    --------
    >>> from rlbook.bandits import gradient_bandit
    >>> from rlbook.problems import ten_armed_testbed
    >>> result = gradient_bandit(ten_armed_testbed(20, mean=4.0, seed=0), 100, alpha=0.1, seed=0)
    >>> print(result.rewards.shape, f"{result.rewards[:, -50:].mean():.2f}")
    (20, 100) 4.57
    """
    world, alpha = _world(world), check_positive("alpha", alpha)
    check_choice("baseline", baseline, {True, False})
    run = _Record(world, steps, seed)
    H = np.zeros((world.n_runs, world.k))
    mean_reward = np.zeros(world.n_runs)
    for t in range(run.steps):
        pi = softmax(H)
        cumulative = pi.cumsum(axis=1)
        cumulative[:, -1] = 1.0                                    # no rounding gap at the top
        u = run.rng.random((world.n_runs, 1))
        actions = (u < cumulative).argmax(axis=1)                  # a ~ pi: first cumsum above u
        rewards = run.pull(t, actions)
        b = (rewards if t == 0 else mean_reward) if baseline else 0.0
        preference_update(H, actions, rewards, b, alpha, pi)
        mean_reward += (rewards - mean_reward) / (t + 1)
    return run.result(H)
# --8<-- [end:gradient_bandit]
