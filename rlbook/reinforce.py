r"""REINFORCE: Monte Carlo policy gradient with an optional baseline (chapter 8).

The policy-gradient theorem with the log-derivative trick gives an estimate of
the gradient of the expected return from sampled episodes (Williams, 1992):

.. math::

    \nabla_\theta J(\theta) \approx \frac{1}{N} \sum_{i=1}^{N} \sum_{t}
        \nabla_\theta \log \pi_\theta(a^i_t \mid s^i_t)\,\bigl(G^i_t - b(s^i_t)\bigr),
    \qquad \theta \leftarrow \theta + \alpha\, \widehat{\nabla_\theta J}.

``G_t`` is the return-to-go from step ``t`` and ``b`` a baseline that does not
depend on the action: none, the mean return of the batch, or a learned state
value ``V[s]``. Since ``sum_a pi(a|s) grad log pi(a|s) = 0``, an
action-independent baseline leaves the expected gradient unchanged and only
changes its variance.

Like most implementations, the estimate drops the ``gamma ** t`` factor in
front of each term that the discounted policy-gradient theorem carries
(Sutton & Barto, 2018, section 13.3); with ``gamma = 1`` (the book's default
for episodic tasks) the two coincide. With ``gamma < 1`` the estimate is
biased: the state visited at step ``t`` counts ``1 / gamma ** t`` times too
much relative to the gradient of the discounted return (Thomas, 2014; Nota &
Thomas, 2020). For a tabular policy that only rescales each state's row of
the gradient, so the points where it vanishes are the same; with shared
parameters they can move. ``tests/test_reinforce.py`` checks both facts.

The module also holds :func:`bandit_update`, the exact expected update of a
one-state softmax policy that the chapter works by hand. The worlds the
chapter trains on live with the other examples: the one-step
:class:`~rlbook.envs.Bandit` in :mod:`rlbook.envs.bandit`,
:func:`~rlbook.problems.access_review_bandit` and
:func:`~rlbook.problems.short_corridor` in :mod:`rlbook.problems`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.validate import (
    check_choice,
    check_gamma,
    check_integer,
    check_positive,
    check_rng,
    check_unit_interval,
)
from rlbook.policies import GaussianPolicy, softmax
from rlbook.returns import returns_to_go
from rlbook.rollout import rollout

__all__ = [
    "BanditUpdate",
    "GaussianReinforceResult",
    "GradientEstimate",
    "GradientVariance",
    "ReinforceResult",
    "bandit_update",
    "gradient_variance",
    "policy_gradient",
    "reinforce",
    "reinforce_gaussian",
]

BASELINES = ("mean", "value")


# -- the worked one-step update ---------------------------------------------
@dataclass(frozen=True)
class BanditUpdate:
    """One exact policy-gradient step on a one-state softmax policy.

    ``probs`` and ``new_probs`` are ``pi`` before and after; ``baseline`` is the
    ``b`` subtracted from the returns; ``gradient`` the exact expected gradient
    with respect to the logits; ``logits`` the logits after the step.
    """

    probs: np.ndarray
    baseline: float
    gradient: np.ndarray
    logits: np.ndarray
    new_probs: np.ndarray


# --8<-- [start:bandit_update]
def bandit_update(returns, *, step_size, logits=None, baseline="mean"):
    """One gradient-ascent step using the exact expected REINFORCE gradient.

    With one state and a return ``G[a]`` for each action, the expectation of
    ``(G[a] - b) * grad log pi(a)`` over ``a ~ pi`` is, for the logits,

        grad[j] = sum_a pi[a] (G[a] - b) (1[a == j] - pi[j])
                = pi[j] (G[j] - b) - pi[j] sum_a pi[a] (G[a] - b).

    Parameters
    ----------
    returns : array_like of shape (A,)
        The return of each action.
    step_size : float
        ``alpha`` in ``logits += alpha * grad``.
    logits : array_like of shape (A,), optional
        Zeros (uniform ``pi``) by default.
    baseline : {"mean", None} or float
        ``"mean"`` subtracts the expected return ``sum_a pi[a] G[a]``. In the
        exact expectation any constant baseline cancels (the result is the
        same with ``None``); it matters for sampled estimates.

    Returns
    -------
    BanditUpdate

    Raises
    ------
    ValueError
        If ``returns`` and ``logits`` differ in shape or ``baseline`` is
        neither ``"mean"``, ``None`` nor a number.

    See Also
    --------
    rlbook.bandits.gradient_bandit : chapter 6's gradient bandit, whose one-sample
        step (:func:`rlbook.bandits.preference_update`) has this step as its expectation.

    Examples
    --------
    >>> import rlbook
    >>> update = rlbook.bandit_update([1.0, 0.0, 2.0], step_size=0.1)
    >>> print(" ".join(f"{p:.3f}" for p in update.new_probs))
    0.333 0.322 0.345
    """
    G = np.asarray(returns, dtype=float)
    h = np.zeros_like(G) if logits is None else np.asarray(logits, dtype=float)
    if G.ndim != 1 or h.shape != G.shape:
        raise ValueError(f"returns and logits must be 1-D of the same length; "
                         f"got shapes {G.shape} and {h.shape}")
    pi = softmax(h)
    if baseline is None:
        b = 0.0
    elif isinstance(baseline, str):
        check_choice("baseline", baseline, {"mean"})
        b = float(pi @ G)
    else:
        b = float(baseline)
    advantage = G - b
    gradient = pi * advantage - pi * (pi @ advantage)
    new_logits = h + step_size * gradient
    return BanditUpdate(pi, b, gradient, new_logits, softmax(new_logits))
# --8<-- [end:bandit_update]


# -- the sampled gradient ---------------------------------------------------
@dataclass(frozen=True)
class GradientEstimate:
    """A batch policy-gradient estimate.

    ``gradient`` is the batch mean (shaped like ``theta``); ``per_episode``
    stacks each episode's term ``sum_t (G_t - b_t) grad log pi(a_t | s_t)``,
    shape (N, *theta.shape); ``returns`` holds each episode's ``G_0``.
    """

    gradient: np.ndarray
    per_episode: np.ndarray
    returns: np.ndarray


def _baseline_values(baseline, episodes, G):
    """The baseline ``b_t`` for every step of every episode."""
    if baseline is None:
        return [np.zeros_like(g) for g in G]
    if isinstance(baseline, str):
        check_choice("baseline", baseline, {"mean"})
        b = float(np.concatenate(G).mean())
        return [np.full_like(g, b) for g in G]
    V = np.asarray(baseline, dtype=float)
    if V.ndim != 1:
        raise ValueError(f"a value baseline must be an array V of shape (n_states,); "
                         f"got shape {V.shape}")
    return [V[ep.states] for ep in episodes]


# --8<-- [start:policy_gradient]
def policy_gradient(policy, episodes, *, gamma=1.0, baseline=None):
    """REINFORCE estimate ``mean_i sum_t grad log pi(a_t|s_t) (G_t - b_t)``.

    Parameters
    ----------
    policy : TabularSoftmaxPolicy or LinearSoftmaxPolicy
        The policy that generated ``episodes``.
    episodes : sequence of Episode
        Rollouts of ``policy`` (see :func:`rlbook.rollout`).
    gamma : float
        Discount used for the returns-to-go ``G_t``.
    baseline : None, "mean" or ndarray of shape (n_states,)
        No baseline, the mean of all ``G_t`` in the batch, or a state value
        ``V[s_t]``.

    Returns
    -------
    GradientEstimate

    Raises
    ------
    ValueError
        If ``episodes`` is empty, ``gamma`` is outside [0, 1] or the baseline
        is unknown.

    Examples
    --------
    >>> import rlbook
    >>> env = rlbook.GridWorld(["S G"])
    >>> policy = rlbook.TabularSoftmaxPolicy(env.n_states, 4)
    >>> episodes = [rlbook.rollout(env, [1, 1], seed=0)]
    >>> grad = rlbook.policy_gradient(policy, episodes).gradient
    >>> print(grad.shape, f"{grad[0, 1]:.2f}")
    (2, 4) 7.50
    """
    if len(episodes) == 0:
        raise ValueError("episodes must hold at least one episode")
    gamma = check_gamma(gamma)
    G = [returns_to_go(ep.rewards, gamma) for ep in episodes]
    b = _baseline_values(baseline, episodes, G)
    per_episode = np.zeros((len(episodes),) + policy.theta.shape)
    for i, ep in enumerate(episodes):
        for s, a, advantage in zip(ep.states, ep.actions, G[i] - b[i]):
            per_episode[i] += advantage * policy.grad_log_prob(s, a)
    returns = np.array([g[0] if len(g) else 0.0 for g in G])
    return GradientEstimate(per_episode.mean(axis=0), per_episode, returns)
# --8<-- [end:policy_gradient]


def _check_baseline(baseline):
    if baseline is not None:
        check_choice("baseline", baseline, set(BASELINES))


def _batch(env, policy, batch_size, rng, max_steps):
    seeds = rng.integers(2**32, size=batch_size)
    return [rollout(env, policy, seed=int(s), max_steps=max_steps) for s in seeds]


# -- training ---------------------------------------------------------------
@dataclass(frozen=True)
class ReinforceResult:
    """What :func:`reinforce` returns.

    ``policy`` is the trained policy (a copy; the one passed in is untouched).
    Per-iteration statistics, each of shape (iterations,): ``mean_return`` (mean
    ``G_0`` of the batch, before the update), ``grad_variance`` (the variance
    of the batch gradient estimate, summed over parameters: trace of the
    sample covariance of the per-episode terms divided by ``batch_size``) and
    ``episode_length`` (mean steps). ``V`` is the learned state-value baseline
    (``baseline="value"``), else None.
    """

    policy: object
    mean_return: np.ndarray
    grad_variance: np.ndarray
    episode_length: np.ndarray
    V: np.ndarray | None


# --8<-- [start:reinforce]
def reinforce(env, policy, *, iterations, batch_size, step_size, gamma=1.0, baseline="mean",
              seed=None, max_steps=100, value_step_size=0.1):
    """Train a softmax policy with REINFORCE (batch Monte Carlo policy gradient).

    Each iteration samples ``batch_size`` episodes with the current policy,
    estimates the gradient with :func:`policy_gradient` and takes one step
    ``theta += step_size * gradient``.

    Parameters
    ----------
    env : environment with Gymnasium's API and discrete spaces
    policy : TabularSoftmaxPolicy or LinearSoftmaxPolicy
        The starting policy (not modified).
    iterations, batch_size : int
    step_size : float
        ``alpha``, the gradient-ascent step.
    gamma : float
    baseline : {None, "mean", "value"}
        ``"value"`` learns a table ``V[s]`` alongside the policy, moved toward
        the observed returns-to-go by ``value_step_size`` after each batch
        (the advantages use ``V`` from before that move).
    seed : int or None
    max_steps : int
        Episodes are truncated after this many steps.
    value_step_size : float
        Step size of the learned baseline, in (0, 1].

    Returns
    -------
    ReinforceResult

    Raises
    ------
    ValueError
        If a count is not a positive integer, a step size is not positive,
        ``gamma`` is outside [0, 1] or ``baseline`` is unknown.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.problems import access_review_bandit
    >>> env = access_review_bandit()
    >>> result = rlbook.reinforce(env, rlbook.TabularSoftmaxPolicy(1, 3), iterations=20,
    ...                           batch_size=10, step_size=0.01, seed=0)
    >>> print(f"{result.mean_return[0]:.1f} -> {result.mean_return[-1]:.1f}")
    -42.8 -> 54.5
    """
    iterations = check_integer("iterations", iterations)
    batch_size = check_integer("batch_size", batch_size)
    step_size = check_positive("step_size", step_size)
    value_step_size = check_unit_interval("value_step_size", value_step_size, open_low=True)
    gamma = check_gamma(gamma)
    _check_baseline(baseline)
    rng = check_rng(seed)
    policy = policy.copy()
    V = np.zeros(env.observation_space.n) if baseline == "value" else None
    stats = np.zeros((iterations, 3))
    for k in range(iterations):
        episodes = _batch(env, policy, batch_size, rng, max_steps)
        estimate = policy_gradient(policy, episodes, gamma=gamma,
                                   baseline=V if baseline == "value" else baseline)
        policy.theta += step_size * estimate.gradient
        if V is not None:
            _update_values(V, episodes, gamma, value_step_size)
        stats[k] = (estimate.returns.mean(), _total_variance(estimate.per_episode),
                    np.mean([ep.length for ep in episodes]))
    return ReinforceResult(policy, stats[:, 0], stats[:, 1], stats[:, 2], V)
# --8<-- [end:reinforce]


def _update_values(V, episodes, gamma, alpha):
    """Move ``V[s]`` toward the mean return-to-go observed from ``s`` in the batch."""
    states = np.concatenate([ep.states for ep in episodes]).astype(int)
    G = np.concatenate([returns_to_go(ep.rewards, gamma) for ep in episodes])
    counts = np.bincount(states, minlength=len(V))
    sums = np.bincount(states, weights=G, minlength=len(V))
    seen = counts > 0
    V[seen] += alpha * (sums[seen] / counts[seen] - V[seen])


def _total_variance(per_episode):
    """Trace of the covariance of the batch mean of ``per_episode`` terms."""
    n = len(per_episode)
    if n < 2:
        return float("nan")
    flat = per_episode.reshape(n, -1)
    return float(flat.var(axis=0, ddof=1).sum() / n)


# -- measuring -------------------------------------------------------------
@dataclass(frozen=True)
class GradientVariance:
    """Spread of the batch gradient estimate at a fixed policy.

    ``mean_gradient`` averages the ``n_batches`` estimates (shaped like
    ``theta``); ``variance`` is their total variance (summed over parameters)
    across batches; ``estimates`` stacks them, shape (n_batches, *theta.shape).
    """

    mean_gradient: np.ndarray
    variance: float
    estimates: np.ndarray


# --8<-- [start:gradient_variance]
def gradient_variance(env, policy, *, baseline, batch_size, n_batches, gamma=1.0, seed=None,
                      max_steps=100):
    """Measure the variance of the REINFORCE estimate by drawing many batches.

    The policy stays fixed; each of ``n_batches`` independent batches of
    ``batch_size`` episodes gives one estimate from :func:`policy_gradient`.

    Parameters
    ----------
    env, policy : as in :func:`reinforce`
    baseline : None, "mean" or ndarray of shape (n_states,)
    batch_size, n_batches : int
        ``n_batches`` must be at least 2.
    gamma : float
    seed : int or None
    max_steps : int

    Returns
    -------
    GradientVariance

    Raises
    ------
    ValueError
        If a count is invalid, ``gamma`` is outside [0, 1] or the baseline is
        unknown.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.problems import access_review_bandit
    >>> from rlbook.reinforce import gradient_variance
    >>> env = access_review_bandit()
    >>> policy = rlbook.TabularSoftmaxPolicy(1, 3)
    >>> with_b = gradient_variance(env, policy, baseline="mean", batch_size=10, n_batches=50, seed=0)
    >>> without = gradient_variance(env, policy, baseline=None, batch_size=10, n_batches=50, seed=0)
    >>> print(bool(with_b.variance < without.variance))
    True
    """
    batch_size = check_integer("batch_size", batch_size)
    n_batches = check_integer("n_batches", n_batches, minimum=2)   # a variance needs two
    rng = check_rng(seed)
    estimates = np.array([
        policy_gradient(policy, _batch(env, policy, batch_size, rng, max_steps),
                        gamma=gamma, baseline=baseline).gradient
        for _ in range(n_batches)])
    variance = float(estimates.reshape(n_batches, -1).var(axis=0, ddof=1).sum())
    return GradientVariance(estimates.mean(axis=0), variance, estimates)
# --8<-- [end:gradient_variance]



# -- continuous actions: a Gaussian policy on a one-step bandit --------------
@dataclass(frozen=True)
class GaussianReinforceResult:
    """What :func:`reinforce_gaussian` returns.

    ``policy`` is the trained :class:`~rlbook.policies.GaussianPolicy` (a copy);
    ``mean`` and ``std``, each of shape (iterations + 1,), are the policy's mean
    action and standard deviation before the first update and after each one;
    ``mean_reward`` (iterations,) the average reward of each batch.
    """

    policy: GaussianPolicy
    mean: np.ndarray
    std: np.ndarray
    mean_reward: np.ndarray


# --8<-- [start:reinforce_gaussian]
def reinforce_gaussian(bandit, policy, *, iterations, batch_size, step_size, learn_std=False,
                       seed=None):
    """REINFORCE for a Gaussian policy on a one-step bandit with a real-valued action.

    Each iteration draws ``batch_size`` actions ``a ~ N(m, s^2)`` (``m = w @ x``
    with ``x = [1]``), receives their rewards and steps along the estimate
    ``mean((r - mean(r)) * score)``, with the score of
    :meth:`~rlbook.policies.GaussianPolicy.grad_log_prob`; the batch mean
    reward is the baseline. The spread ``log s`` is learned too if
    ``learn_std``, else kept fixed.

    Parameters
    ----------
    bandit : object with ``rewards(actions, rng)``
        Such as :class:`~rlbook.problems.QuadraticBandit`.
    policy : GaussianPolicy
        With one feature (``w`` of shape (1,)); not modified.
    iterations, batch_size : int
    step_size : float
    learn_std : bool
    seed : int or None

    Returns
    -------
    GaussianReinforceResult

    Raises
    ------
    ValueError
        If a count is not a positive integer, ``step_size`` is not positive or
        the policy does not have exactly one feature.

    Examples
    --------
    >>> from rlbook.problems import QuadraticBandit
    >>> result = reinforce_gaussian(QuadraticBandit(target=2.0), GaussianPolicy([0.0]),
    ...                             iterations=300, batch_size=32, step_size=0.02, seed=0)
    >>> round(float(result.mean[-1]), 1)
    2.0
    """
    iterations = check_integer("iterations", iterations)
    batch_size = check_integer("batch_size", batch_size)
    step_size = check_positive("step_size", step_size)
    if np.shape(policy.w) != (1,):
        raise ValueError(f"policy must have one feature (w of shape (1,)); got w of shape "
                         f"{np.shape(policy.w)}")
    rng = check_rng(seed)
    policy = GaussianPolicy(policy.w.copy(), policy.log_std)
    x = np.ones(1)
    means, stds, rewards = [policy.mean(x)], [np.exp(policy.log_std)], []
    for _ in range(iterations):
        actions = np.array([policy.sample(x, rng) for _ in range(batch_size)])
        r = bandit.rewards(actions, rng)
        scores = [policy.grad_log_prob(x, a) for a in actions]      # (d/dw, d/dlog s)
        advantage = r - r.mean()
        policy.w += step_size * np.mean([adv * g_w for adv, (g_w, _) in zip(advantage, scores)],
                                        axis=0)
        if learn_std:
            policy.log_std += step_size * float(np.mean([adv * g_s for adv, (_, g_s)
                                                         in zip(advantage, scores)]))
        means.append(policy.mean(x))
        stds.append(np.exp(policy.log_std))
        rewards.append(r.mean())
    return GaussianReinforceResult(policy, np.array(means), np.array(stds), np.array(rewards))
# --8<-- [end:reinforce_gaussian]
