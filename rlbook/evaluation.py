r"""Held-out policy evaluation: Monte Carlo estimates with confidence intervals.

The value of a policy is its expected return, :math:`V^\pi = E_\pi[G_0]`.
Monte Carlo evaluation estimates it from ``n`` held-out episodes:

.. math::

    \hat V = \frac{1}{n} \sum_{i=1}^n G^{(i)}, \qquad
    \mathrm{SE} = \frac{s}{\sqrt{n}}, \qquad
    \hat V \pm t_{n-1,\, (1 + c)/2} \, \mathrm{SE}

where ``s`` is the sample standard deviation of the returns, ``c`` the
confidence level and :math:`t_{n-1, q}` the ``q`` quantile of Student's t
distribution with ``n - 1`` degrees of freedom (Student 1908), taken from
``scipy.stats.t``. The normal quantile 1.96 in its place under-covers at
small ``n``: with 4 returns a "95%" interval of ``1.96 SE`` contains the mean
about 85% of the time, because ``s`` itself is estimated from 3 degrees of
freedom (:math:`t_{3, 0.975} = 3.18`). The t interval is exact for normal
returns and approximate otherwise: on skewed, heavy-tailed returns (such as
importance-sampling terms, :mod:`rlbook.off_policy`) it under-covers until
``n`` is large. The percentile bootstrap interval takes the percentiles of
the means of resampled returns instead (Efron and Tibshirani 1993); it
under-covers at small ``n`` as well (about 80%, 89% and 93% for a nominal
95% on normal returns at ``n`` = 4, 8 and 30; chapter 11 measures it). Severe outcomes
(returns below a threshold) are counted and reported next to the mean,
because a good average can hide rare disasters.

Held-out means: the episodes used to estimate the value are not the ones the
policy was trained or tuned on. Training and evaluation draw from separate
random streams (:func:`train_eval_seeds`); candidates are compared on a
validation split and the chosen one is reported once on test
(:func:`select_policy`).

Chapter 11's example, access requests with an outcome for every routing
action, lives in :mod:`rlbook.problems.access_review`. Chapter 11 of the book
explains all of it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rlbook.deprecated import module_getattr
from rlbook.validate import (
    check_choice,
    check_gamma,
    check_integer,
    check_rng,
    check_unit_interval,
)
from rlbook.rollout import rollout

__all__ = [
    "ReturnSummary",
    "Seeds",
    "SCORES",
    "Selection",
    "episode_returns",
    "evaluate_policy",
    "fit_greedy_policy",
    "select_policy",
    "summarize_returns",
    "t_interval",
    "train_eval_seeds",
]
__getattr__ = module_getattr(__name__)   # PolicyEvaluation: the old name of ReturnSummary, warns


@dataclass(frozen=True)
class ReturnSummary:
    """Summary of the returns of a policy on held-out episodes.

    Attributes
    ----------
    returns : ndarray of shape (n,)
        The return ``G`` of each evaluation episode.
    mean : float
        The Monte Carlo estimate of the policy's value.
    std_error : float
        ``std(returns, ddof=1) / sqrt(n)``.
    ci_t : tuple of (float, float)
        Student t interval ``mean -/+ t_{n-1} * std_error`` at level
        ``confidence`` (:func:`t_interval`).
    ci_bootstrap : tuple of (float, float) or None
        Percentile bootstrap interval (None when ``n_boot`` was 0).
    n_severe : int or None
        How many returns fell below ``severe_below`` (None without a threshold).
    severe_below : float or None
        The threshold that defines a severe outcome.
    confidence : float
        The confidence level of both intervals.
    """

    returns: np.ndarray
    mean: float
    std_error: float
    ci_t: tuple
    ci_bootstrap: tuple | None
    n_severe: int | None
    severe_below: float | None
    confidence: float

    @property
    def n(self) -> int:
        """Number of evaluation episodes."""
        return len(self.returns)

    @property
    def severe_rate(self) -> float | None:
        """Fraction of episodes with a severe outcome (None without a threshold)."""
        return None if self.n_severe is None else self.n_severe / self.n

    def __str__(self) -> str:
        lo, hi = self.ci_t
        text = (f"mean {self.mean:.2f} +/- {self.std_error:.2f} (SE), "
                f"{100 * self.confidence:.0f}% CI [{lo:.2f}, {hi:.2f}]")
        if self.n_severe is not None:
            text += f", severe {self.n_severe}/{self.n}"
        return text


# --8<-- [start:t_interval]
def t_interval(returns, *, confidence=0.95):
    """Student t confidence interval for the mean of ``returns`` (along the last axis).

    ``mean -/+ t_{n-1, (1 + confidence)/2} * s / sqrt(n)``. Exact for normal
    returns; under-covers on heavy-tailed ones (importance-sampling terms)
    until ``n`` is large.

    Parameters
    ----------
    returns : array_like of shape (..., n)
        ``n >= 2`` returns per row; each row gets its own interval.
    confidence : float, default 0.95

    Returns
    -------
    (lo, hi) : two floats, or two ndarrays of shape (...)

    Raises
    ------
    ValueError
        If ``returns`` has fewer than 2 values per row or a non-finite value,
        or ``confidence`` is not in (0, 1).

    Examples
    --------
    >>> import rlbook
    >>> low, high = rlbook.t_interval([1.0, 2.0, 3.0, 4.0])
    >>> print(f"[{low:.2f}, {high:.2f}]")
    [0.45, 4.55]
    """
    G = np.asarray(returns, dtype=float)
    confidence = check_unit_interval("confidence", confidence, open_low=True, open_high=True)
    if G.ndim == 0 or G.shape[-1] < 2:
        raise ValueError("need at least 2 returns to estimate a standard error; got "
                         f"shape {G.shape}")
    if not np.isfinite(G).all():
        raise ValueError("returns must be finite; got a nan or inf")
    import scipy.stats  # here, not at the top: it would add about a second to `import rlbook`

    n = G.shape[-1]
    mean = G.mean(axis=-1)
    half = (scipy.stats.t.ppf(0.5 + confidence / 2, df=n - 1)
            * G.std(axis=-1, ddof=1) / math.sqrt(n))
    return mean - half, mean + half
# --8<-- [end:t_interval]


# --8<-- [start:summarize_returns]
def summarize_returns(returns, *, severe_below=None, confidence=0.95, n_boot=2000,
                      seed=None, rng=None):
    """Mean, standard error, confidence intervals and severe count of some returns.

    The mean's interval is Student's t with ``n - 1`` degrees of freedom
    (:func:`t_interval`); the bootstrap interval is the percentile interval of
    ``n_boot`` resampled means (Efron and Tibshirani 1993, ch. 13). Both are
    approximate on heavy-tailed returns, and the percentile bootstrap also
    under-covers on few episodes (about 80% for a nominal 95% at n = 4 on
    normal returns: resampling ``n`` values cannot show more spread than they
    have). BCa intervals (Efron 1987; ``scipy.stats.bootstrap(method="BCa")``)
    correct for bias and skewness, not for that. Chapter 11 measures both.

    Parameters
    ----------
    returns : array_like of shape (n,)
        One return per held-out episode, ``n >= 2``.
    severe_below : float or None
        Returns strictly below this value count as severe outcomes.
    confidence : float, default 0.95
        Level of the t and bootstrap intervals, in (0, 1).
    n_boot : int, default 2000
        Bootstrap resamples; 0 skips the bootstrap interval.
    seed, rng :
        Randomness of the bootstrap (pass one of them for reproducible output).

    Returns
    -------
    ReturnSummary

    Raises
    ------
    ValueError
        If ``returns`` is not 1-D, has fewer than 2 values or a non-finite
        value; if ``confidence`` is not in (0, 1); if ``n_boot < 0``.

    Examples
    --------
    >>> import rlbook
    >>> s = rlbook.summarize_returns([1.0, 2.0, 3.0, 4.0], severe_below=1.5, seed=0)
    >>> print(f"{s.mean:.2f} +- {s.std_error:.2f}, severe {s.n_severe}")
    2.50 +- 0.65, severe 1
    """
    G = _check_returns(returns)
    confidence = check_unit_interval("confidence", confidence, open_low=True, open_high=True)
    n_boot = check_integer("n_boot", n_boot, minimum=0)
    rng = check_rng(seed, rng)
    mean = float(G.mean())
    std_error = float(G.std(ddof=1) / math.sqrt(len(G)))
    lo, hi = t_interval(G, confidence=confidence)
    ci_bootstrap = None
    if n_boot > 0:
        boot_means = _bootstrap_means(G, n_boot, rng)
        blo, bhi = np.quantile(boot_means, [(1 - confidence) / 2, (1 + confidence) / 2])
        ci_bootstrap = (float(blo), float(bhi))
    n_severe = None if severe_below is None else int(np.sum(G < severe_below))
    return ReturnSummary(returns=G, mean=mean, std_error=std_error,
                         ci_t=(float(lo), float(hi)), ci_bootstrap=ci_bootstrap,
                         n_severe=n_severe, severe_below=severe_below,
                         confidence=float(confidence))
# --8<-- [end:summarize_returns]


def _check_returns(returns) -> np.ndarray:
    G = np.asarray(returns, dtype=float)
    if G.ndim != 1:
        raise ValueError(f"returns must be 1-D (one return per episode); got shape {G.shape}")
    if len(G) < 2:
        raise ValueError(f"need at least 2 returns to estimate a standard error; got {len(G)}")
    bad = np.flatnonzero(~np.isfinite(G))
    if bad.size:
        raise ValueError(f"returns[{bad[0]}] is {G[bad[0]]}, expected a finite number")
    return G


def _bootstrap_means(G, n_boot, rng, chunk_cells=1_000_000):
    """Means of ``n_boot`` resamples of ``G`` (with replacement), in memory-bounded chunks."""
    n = len(G)
    rows = max(1, chunk_cells // n)
    means = np.empty(n_boot)
    for start in range(0, n_boot, rows):
        stop = min(n_boot, start + rows)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = G[idx].mean(axis=1)
    return means


class Seeds(NamedTuple):
    """Two independent seeds: one for training, one for evaluation."""

    train: int
    evaluation: int


# --8<-- [start:train_eval_seeds]
def train_eval_seeds(seed) -> Seeds:
    """Split one experiment seed into independent training and evaluation seeds.

    ``np.random.SeedSequence(seed).spawn(2)`` gives two streams that share no
    random numbers, so evaluation episodes are never the training episodes
    replayed.

    Examples
    --------
    >>> from rlbook.evaluation import train_eval_seeds
    >>> seeds = train_eval_seeds(0)
    >>> print(seeds.train != seeds.evaluation, seeds == train_eval_seeds(0))
    True True
    """
    train, evaluation = np.random.SeedSequence(seed).spawn(2)
    return Seeds(int(train.generate_state(1)[0]), int(evaluation.generate_state(1)[0]))
# --8<-- [end:train_eval_seeds]


# --8<-- [start:evaluate_policy]
def evaluate_policy(env, policy, *, episodes, gamma, seed, severe_below=None,
                    confidence=0.95, n_boot=2000, max_steps=1_000):
    """Monte Carlo evaluation of ``policy`` from ``episodes`` fresh rollouts.

    Parameters
    ----------
    env : environment with Gymnasium's API
    policy : None, callable, ndarray of shape (n_states,) or (n_states, n_actions)
        Any policy that :func:`rlbook.rollout.rollout` accepts.
    episodes : int
        Number of evaluation episodes (at least 2).
    gamma : float
        Discount of the returns.
    seed : int or None
        Seed of the evaluation stream; use the evaluation half of
        :func:`train_eval_seeds` so that it never overlaps training.
    severe_below, confidence, n_boot :
        As in :func:`summarize_returns`.
    max_steps : int
        Truncate episodes after this many steps (a warning says how many were).

    Returns
    -------
    ReturnSummary

    Raises
    ------
    ValueError
        If ``episodes < 2`` or ``gamma`` is not in [0, 1], or as
        :func:`summarize_returns` and :func:`rlbook.rollout.rollout` raise.

    Examples
    --------
    >>> import rlbook
    >>> env = rlbook.GridWorld(["S . G"])
    >>> s = rlbook.evaluate_policy(env, [1, 1, 1], episodes=5, gamma=1.0, seed=0, n_boot=200)
    >>> print(f"{s.mean:.2f}", len(s.returns))
    9.00 5
    """
    episodes = check_integer("episodes", episodes, minimum=2)
    gamma = check_gamma(gamma)
    episode_stream, bootstrap_stream = np.random.SeedSequence(seed).spawn(2)
    returns, truncated = [], 0
    for episode_seed in episode_stream.generate_state(episodes):
        episode = rollout(env, policy, seed=int(episode_seed), max_steps=max_steps)
        returns.append(episode.discounted_return(gamma))
        truncated += episode.truncated
    if truncated:
        warnings.warn(f"{truncated} of {episodes} evaluation episodes were truncated at "
                      f"max_steps={max_steps}; their returns are cut short", stacklevel=2)
    return summarize_returns(returns, severe_below=severe_below, confidence=confidence,
                             n_boot=n_boot, rng=np.random.default_rng(bootstrap_stream))
# --8<-- [end:evaluate_policy]


@dataclass(frozen=True)
class Selection:
    """The result of choosing a policy on validation and reporting it on test.

    Attributes
    ----------
    chosen : str
        Name of the candidate with the best validation score.
    validation : dict of {str: object}
        The evaluation of every candidate on the validation data.
    test : object
        The evaluation of the chosen candidate on the test data (the only
        test number there is: the other candidates are never run on test).
    """

    chosen: str
    validation: dict
    test: object


# --8<-- [start:select_policy]
SCORES = {
    "mean": lambda evaluation: (evaluation.mean,),
    "fewest_severe": lambda evaluation: (-evaluation.n_severe, evaluation.mean),
}


def select_policy(candidates, evaluate, *, validation, test, score="mean"):
    """Choose among ``candidates`` on ``validation``; evaluate only the choice on ``test``.

    Parameters
    ----------
    candidates : dict of {str: policy}
        Named policies, in any form ``evaluate`` accepts.
    evaluate : callable
        ``evaluate(policy, data)`` returns an evaluation, for example a
        :class:`ReturnSummary`.
    validation, test :
        The data passed to ``evaluate`` (held-out episodes, or seeds).
    score : "mean", "fewest_severe" or callable, default "mean"
        What the choice maximises: the validation mean; or the fewest severe
        outcomes first, then the highest mean (needs ``severe_below``); or
        ``score(evaluation)``, a number or a tuple of numbers compared in
        order. Ties go to the first candidate.

    Returns
    -------
    Selection

    Raises
    ------
    ValueError
        If there are no candidates, ``score`` is an unknown name, a
        candidate's score is not finite, or ``"fewest_severe"`` meets an
        evaluation without a severe count.

    Examples
    --------
    >>> import rlbook
    >>> returns = {"a": [1.0, 2.0], "b": [3.0, 4.0]}
    >>> candidates = {"a": "a", "b": "b"}
    >>> choice = rlbook.select_policy(
    ...     candidates, lambda policy, split: rlbook.summarize_returns(returns[policy]),
    ...     validation="val", test="test")
    >>> print(choice.chosen, f"{choice.test.mean:.1f}")
    b 3.5
    """
    if not candidates:
        raise ValueError("candidates must name at least one policy")
    needs_severe = score == "fewest_severe"
    if not callable(score):
        check_choice("score", score, set(SCORES))
        score = SCORES[score]
    on_validation = {name: evaluate(policy, validation) for name, policy in candidates.items()}
    keys = {}
    for name, result in on_validation.items():
        if needs_severe and getattr(result, "n_severe", None) is None:
            raise ValueError(f"score 'fewest_severe' needs a severe count, but candidate "
                             f"{name!r} was evaluated without severe_below")
        value = score(result)
        key = tuple(float(v) for v in (value if isinstance(value, tuple) else (value,)))
        if not all(math.isfinite(v) for v in key):
            raise ValueError(f"candidate {name!r} has validation score {value}; "
                             "expected finite numbers")
        keys[name] = key
    chosen = max(keys, key=keys.get)
    return Selection(chosen, on_validation, evaluate(candidates[chosen], test))
# --8<-- [end:select_policy]


# --8<-- [start:episode_returns]
def episode_returns(policy, contexts, outcomes):
    """Return of each episode when ``policy`` picks the action.

    Parameters
    ----------
    policy : int ndarray of shape (n_contexts,)
        The action taken in each context (a deterministic policy).
    contexts : int ndarray of shape (n,)
        The context (case) of each episode.
    outcomes : ndarray of shape (n, n_actions)
        ``outcomes[i, a]``: the return episode ``i`` gives if action ``a`` is taken.

    Returns
    -------
    ndarray of shape (n,)
        ``outcomes[i, policy[contexts[i]]]``.

    Raises
    ------
    ValueError
        If shapes disagree or an index is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.evaluation import episode_returns
    >>> outcomes = np.array([[1.0, 5.0], [2.0, 0.0]])
    >>> print(episode_returns([1, 0], [0, 1], outcomes).tolist())
    [5.0, 2.0]
    """
    policy, contexts, outcomes = _check_outcome_data(policy, contexts, outcomes)
    return outcomes[np.arange(len(contexts)), policy[contexts]]
# --8<-- [end:episode_returns]


def _check_outcome_data(policy, contexts, outcomes):
    outcomes = np.asarray(outcomes, dtype=float)
    contexts = np.asarray(contexts)
    if outcomes.ndim != 2:
        raise ValueError(f"outcomes must have shape (n_episodes, n_actions); got {outcomes.shape}")
    if contexts.shape != (outcomes.shape[0],):
        raise ValueError(f"contexts must have shape ({outcomes.shape[0]},), one per episode; "
                         f"got {contexts.shape}")
    if contexts.size and not np.issubdtype(contexts.dtype, np.integer):
        raise ValueError(f"contexts must be integers; got dtype {contexts.dtype}")
    if policy is None:
        return None, contexts, outcomes
    policy = np.asarray(policy)
    if policy.ndim != 1 or not np.issubdtype(policy.dtype, np.integer):
        raise ValueError("policy must be an int array (n_contexts,) of actions; "
                         f"got shape {policy.shape} and dtype {policy.dtype}")
    bad = np.flatnonzero((policy < 0) | (policy >= outcomes.shape[1]))
    if bad.size:
        raise ValueError(f"policy[{bad[0]}] = {policy[bad[0]]} is not an action in "
                         f"[0, {outcomes.shape[1]})")
    bad = np.flatnonzero((contexts < 0) | (contexts >= len(policy)))
    if bad.size:
        raise ValueError(f"contexts[{bad[0]}] = {contexts[bad[0]]} has no action in a policy "
                         f"of {len(policy)} contexts")
    return policy, contexts, outcomes


# --8<-- [start:fit_greedy_policy]
def fit_greedy_policy(contexts, outcomes, n_contexts):
    """Tune a policy on episodes: in each context, the action with the best mean outcome.

    Its average return on these same episodes is optimistic: the maximum of
    noisy means is biased upward (the winner's curse). Evaluate it on other
    episodes.

    Parameters
    ----------
    contexts : int ndarray of shape (n,)
    outcomes : ndarray of shape (n, n_actions)
    n_contexts : int

    Returns
    -------
    int ndarray of shape (n_contexts,)

    Raises
    ------
    ValueError
        If shapes disagree or a context has no episode to learn from.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.evaluation import fit_greedy_policy
    >>> outcomes = np.array([[1.0, 5.0], [2.0, 0.0]])
    >>> print(fit_greedy_policy([0, 1], outcomes, 2).tolist())
    [1, 0]
    """
    _, contexts, outcomes = _check_outcome_data(None, contexts, outcomes)
    bad = np.flatnonzero((contexts < 0) | (contexts >= n_contexts))
    if bad.size:
        raise ValueError(f"contexts[{bad[0]}] = {contexts[bad[0]]} is not in [0, {n_contexts})")
    counts = np.bincount(contexts, minlength=n_contexts)
    missing = np.flatnonzero(counts == 0)
    if missing.size:
        raise ValueError(f"context {missing[0]} has no episodes to tune on")
    totals = np.zeros((n_contexts, outcomes.shape[1]))
    np.add.at(totals, contexts, outcomes)
    return np.argmax(totals / counts[:, None], axis=1)
# --8<-- [end:fit_greedy_policy]
