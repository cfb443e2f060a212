r"""The agent's side of the loop, shared by every method that learns or acts from experience.

Chapter 1's :func:`rlbook.rollout`, chapter 5's learners (:mod:`rlbook.td`,
:mod:`rlbook.monte_carlo`) and chapter 11's held-out evaluation all need the
same few pieces, kept here once:

* **What a policy is.** :func:`as_actor` turns any of the book's four forms
  into a function ``act(obs, info, rng) -> action``: None (uniformly random
  among the allowed actions), a callable ``policy(obs, rng) -> action``, an
  int array ``policy[s]`` or probabilities ``pi[s, a]``.
  :func:`policy_table` turns the two array forms into ``pi`` of shape (S, A).
* **Which actions a state allows.** :class:`ActionSets` reads
  ``info["action_mask"]`` (as Gymnasium's Taxi and
  :class:`rlbook.envs.TabularEnv` report it) once per state. A policy never
  sends a forbidden action: None picks among the allowed ones, and the other
  forms raise ``ValueError`` if they would.
* **Random streams.** :func:`streams` splits one ``seed`` (or ``rng``) with
  ``np.random.SeedSequence.spawn`` into a seed for the environment and a
  generator for the agent, which share no random numbers.
* **Step sizes.** :func:`as_step_size` accepts a constant in (0, 1] or a
  schedule ``n -> alpha`` of the visit count ``n = 1, 2, ...``;
  :func:`visit_step_size` is the schedule ``alpha_n = n ** -power``.
* **One episode loop.** :func:`play_episode` runs one episode and returns an
  :class:`Episode`; :func:`rlbook.rollout` and Monte Carlo use it. TD methods
  update inside the loop, so :mod:`rlbook.td` writes its loops out.
* **Results.** :class:`PredictionResult` (a value function ``V`` of a fixed
  policy: Sutton and Barto's *prediction*) and :class:`LearningResult`
  (action values ``Q`` learned while improving the policy: *control*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.envs.base import Categorical
from rlbook.returns import discounted_return
from rlbook.validate import (
    check_gamma,
    check_integer,
    check_probabilities,
    check_rng,
    check_unit_interval,
)

__all__ = [
    "ActionSets",
    "Episode",
    "LearningResult",
    "PredictionResult",
    "UniformStream",
    "as_actor",
    "as_step_size",
    "check_learner_args",
    "discrete_sizes",
    "play_episode",
    "policy_table",
    "streams",
    "visit_step_size",
]


# -- results ------------------------------------------------------------------

@dataclass(frozen=True)
class PredictionResult:
    """What a prediction method estimated for a fixed policy.

    Attributes
    ----------
    V : ndarray of shape (n_states,)
    visits : ndarray of int, shape (n_states,)
        How many times each ``V[s]`` was updated.
    episode_returns : ndarray of shape (episodes,)
        Undiscounted return of each episode.
    episode_lengths : ndarray of int, shape (episodes,)
    """

    V: np.ndarray
    visits: np.ndarray
    episode_returns: np.ndarray
    episode_lengths: np.ndarray

    @classmethod
    def from_lists(cls, V, visits, returns, lengths) -> "PredictionResult":
        """Build the result from a learner's lists (or arrays)."""
        return cls(np.array(V, dtype=float), np.array(visits, dtype=int),
                   np.array(returns, dtype=float), np.array(lengths, dtype=int))


@dataclass(frozen=True)
class LearningResult:
    """What a control method learned, and how its episodes went.

    Attributes
    ----------
    Q : ndarray of shape (n_states, n_actions)
        Learned action values; ``-inf`` for actions the env's mask forbids.
    episode_returns : ndarray of shape (episodes,)
        Undiscounted sum of rewards of each training episode (exploration included).
    episode_lengths : ndarray of int, shape (episodes,)
    visits : ndarray of int, shape (n_states, n_actions)
        How many times each ``Q[s, a]`` was updated.
    """

    Q: np.ndarray
    episode_returns: np.ndarray
    episode_lengths: np.ndarray
    visits: np.ndarray

    @classmethod
    def from_lists(cls, Q, returns, lengths, visits) -> "LearningResult":
        """Build the result from a learner's lists (or arrays)."""
        return cls(np.array(Q, dtype=float), np.array(returns, dtype=float),
                   np.array(lengths, dtype=int), np.array(visits, dtype=int))

    @property
    def policy(self) -> np.ndarray:
        """The greedy policy ``argmax_a Q[s, a]`` (first best action on ties), shape (S,)."""
        return np.argmax(self.Q, axis=1)

    @property
    def V(self) -> np.ndarray:
        """``max_a Q[s, a]``, shape (S,)."""
        return self.Q.max(axis=1)


# -- environments, arguments and random streams -----------------------------------

def discrete_sizes(env) -> tuple[int, int]:
    """``(n_states, n_actions)`` of an environment with discrete spaces.

    Raises
    ------
    ValueError
        If ``env.observation_space`` or ``env.action_space`` has no ``n``.

    Examples
    --------
    >>> from rlbook.agent import discrete_sizes
    >>> from rlbook.envs.cliff import cliff_walking
    >>> print(discrete_sizes(cliff_walking()))
    (48, 4)
    """
    try:
        return int(env.observation_space.n), int(env.action_space.n)
    except AttributeError:
        raise ValueError("env must have discrete spaces: observation_space.n and "
                         f"action_space.n; got {type(env).__name__} with observation_space="
                         f"{getattr(env, 'observation_space', None)!r}") from None


def check_learner_args(env, episodes, gamma, max_steps):
    """The checked ``(n_states, n_actions, episodes, gamma, max_steps)`` of a tabular learner.

    Raises
    ------
    ValueError
        If the spaces are not discrete, ``episodes`` is not a positive integer,
        ``gamma`` is not in [0, 1] or ``max_steps`` is neither None nor a
        positive integer.

    Examples
    --------
    >>> from rlbook.agent import check_learner_args
    >>> from rlbook.envs.cliff import cliff_walking
    >>> print(check_learner_args(cliff_walking(), 10, 1.0, None)[:4])
    (48, 4, 10, 1.0)
    """
    n_states, n_actions = discrete_sizes(env)
    return (n_states, n_actions, check_integer("episodes", episodes), check_gamma(gamma),
            check_integer("max_steps", max_steps, allow_none=True))


def streams(seed=None, rng=None) -> tuple[int, np.random.Generator]:
    """A seed for the environment and a generator for the agent, independent of each other.

    Both come from ``np.random.SeedSequence(seed).spawn(2)`` (or from the
    ``SeedSequence`` behind ``rng``), so the environment's outcomes and the
    agent's choices share no random numbers, and ``rng=np.random.default_rng(s)``
    gives the same streams as ``seed=s``. Passing the same ``rng`` again
    spawns new, different streams.

    Returns
    -------
    env_seed : int
        For the first ``env.reset(seed=env_seed)``.
    agent_rng : numpy.random.Generator

    Raises
    ------
    ValueError
        If both ``seed`` and ``rng`` are given, or either is malformed.

    Examples
    --------
    >>> from rlbook.agent import streams
    >>> env_seed, rng = streams(seed=0)
    >>> env_seed2, rng2 = streams(seed=0)
    >>> print(env_seed == env_seed2, rng.random() == rng2.random())
    True True
    """
    base = check_rng(seed, rng)
    sequence = base.bit_generator.seed_seq
    if not isinstance(sequence, np.random.SeedSequence):   # a legacy-seeded bit generator
        sequence = np.random.SeedSequence(int(base.integers(2**63)))
    env_sequence, agent_sequence = sequence.spawn(2)
    return int(env_sequence.generate_state(1)[0]), np.random.default_rng(agent_sequence)


class UniformStream:
    """``rng.random()`` drawn in blocks: the same stream of numbers, a tenth of the cost.

    The learners call ``random()`` once or twice per step; a NumPy scalar draw
    costs about half a microsecond, a list lookup a few tens of nanoseconds.
    Quacks like a ``Generator`` for every function of :mod:`rlbook.exploration`.
    """

    __slots__ = ("_rng", "_block", "_buf", "_i")

    def __init__(self, rng: np.random.Generator, block: int = 4096):
        self._rng, self._block = rng, check_integer("block", block)
        self._buf, self._i = [], 0

    def random(self) -> float:
        i = self._i
        if i == len(self._buf):
            self._buf, i = self._rng.random(self._block).tolist(), 0
        self._i = i + 1
        return self._buf[i]


# -- step sizes -------------------------------------------------------------------

@dataclass(frozen=True)
class _VisitStepSize:
    power: float

    def __call__(self, n):
        return n ** -self.power


# --8<-- [start:visit_step_size]
def visit_step_size(power=0.6):
    """The step-size schedule ``alpha_n = n ** -power`` for the ``n``-th visit of ``(s, a)``.

    ``power = 1`` gives the running sample mean; ``0.5 < power < 1`` forgets
    the early (biased) targets faster while still converging. The price: the
    ``n``-th estimate weighs sample ``k`` by ``alpha_k (1 - alpha_{k+1}) ...
    (1 - alpha_n)``, worth about ``n ** power`` independent samples, so noise
    falls like ``n ** (-power / 2)`` rather than ``n ** -0.5`` (chapter 5,
    "How fast does the error fall?").

    Convergence (Robbins-Monro) needs ``0.5 < power <= 1``; smaller powers
    are accepted so that you can watch what goes wrong.

    Raises
    ------
    ValueError
        If ``power`` is not in (0, 1].

    Examples
    --------
    >>> from rlbook.agent import visit_step_size
    >>> alpha = visit_step_size(0.6)
    >>> print(" ".join(f"{alpha(n):.3f}" for n in (1, 2, 10)))
    1.000 0.660 0.251
    """
    return _VisitStepSize(check_unit_interval("power", power, open_low=True))
# --8<-- [end:visit_step_size]


def as_step_size(alpha):
    """``alpha`` as a function of the visit count ``n = 1, 2, ...``.

    Parameters
    ----------
    alpha : float in (0, 1] or callable
        A constant step size, or a schedule ``n -> alpha`` such as
        :func:`visit_step_size`.

    Raises
    ------
    ValueError
        If ``alpha`` is neither callable nor a number in (0, 1].

    Examples
    --------
    >>> from rlbook.agent import as_step_size
    >>> alpha = as_step_size(0.1)
    >>> print(alpha(1), alpha(50))
    0.1 0.1
    """
    if callable(alpha):
        return alpha
    try:
        value = check_unit_interval("alpha", alpha, open_low=True)
    except ValueError as error:
        if "a number" not in str(error):
            raise
        raise ValueError(f"alpha must be a number in (0, 1] or a schedule n -> alpha; "
                         f"got {alpha!r}") from None
    return lambda n: value


# -- policies and allowed actions -------------------------------------------------

class ActionSets:
    """Allowed actions of each state, read once from ``info["action_mask"]``.

    Calling ``allowed_in(s, info)`` returns None when every action is allowed
    (the fast path) and otherwise the tuple of allowed action indices. If a
    table ``Q`` (a list of lists) is given, forbidden actions get
    ``Q[s][b] = -inf`` the first time ``s`` is seen, so that ``max`` and the
    greedy choice skip them.

    Raises
    ------
    ValueError
        (When called) if the mask allows no action.
    """

    def __init__(self, n_actions, Q=None):
        self._sets, self._n_actions, self._Q = {}, n_actions, Q

    def __call__(self, s, info):
        try:
            return self._sets[s]
        except KeyError:
            pass
        mask = info.get("action_mask") if info else None
        acts = None
        if mask is not None and not np.all(mask):
            acts = tuple(int(b) for b in np.flatnonzero(mask))
            if not acts:
                raise ValueError(f"info['action_mask'] allows no action in state {s}")
            if self._Q is not None:
                for b in range(self._n_actions):
                    if b not in acts:
                        self._Q[s][b] = -np.inf
        self._sets[s] = acts
        return acts


_FORMS = "None (uniformly random), a callable (obs, rng) -> action, "


def policy_table(policy, n_states, n_actions, *, name="policy", where=None, also=""):
    """A deterministic or stochastic policy as probabilities ``pi`` of shape (S, A).

    Parameters
    ----------
    policy : array_like of shape (n_states,) or (n_states, n_actions)
        Action indices (whole numbers) or probabilities ``pi[s, a]``.
    n_states : int or None
        None takes the number of states from ``policy``.
    n_actions : int
    name : str
        Used in error messages.
    where : bool array_like of shape (n_states,), optional
        Only these states' rows are checked (for example the non-terminal
        ones, or the states an episode visits); the other rows may hold
        anything and are returned as action 0 (int arrays) or as given.
    also : str
        Other accepted forms, named first in the shape error.

    Returns
    -------
    ndarray of shape (n_states, n_actions)

    Raises
    ------
    ValueError
        If the shape or dtype fits neither form, a checked action index is out
        of range or not whole, or a checked row is not a probability
        distribution (within :data:`rlbook.validate.PROB_TOL`).

    Examples
    --------
    >>> from rlbook.agent import policy_table
    >>> print(policy_table([1, 0], 2, 2).tolist())
    [[0.0, 1.0], [1.0, 0.0]]
    """
    table = np.asarray(policy)
    S = n_states if n_states is not None else (table.shape[0] if table.ndim else 0)
    rows = np.ones(S, dtype=bool) if where is None else np.asarray(where, dtype=bool)
    numeric = table.dtype.kind in "iuf"
    if numeric and table.shape == (S,):
        whole = ~rows | (np.isfinite(table) & (table == np.round(table)))
        if whole.all():
            actions = np.where(rows, table, 0).astype(int)
            bad = np.flatnonzero(rows & ((actions < 0) | (actions >= n_actions)))
            if bad.size:
                s = int(bad[0])
                raise ValueError(f"{name}[{s}] = {table[s]} is not an action index in "
                                 f"[0, {n_actions})")
            return np.eye(n_actions)[actions]
        s = int(np.flatnonzero(~whole)[0])
        raise ValueError(f"{name}[{s}] = {table[s]} is not an action index: a deterministic "
                         "policy holds whole numbers")
    if numeric and table.shape == (S, n_actions):
        return check_probabilities("pi" if name == "policy" else name, table, where=rows)
    raise ValueError(f"{name} must be {also}an int array of actions (n_states,) = ({S},) or "
                     f"probabilities (n_states, n_actions) = ({S}, {n_actions}); got shape "
                     f"{table.shape} and dtype {table.dtype}")


def as_actor(policy, n_actions, n_states=None):
    """A function ``act(obs, info, rng) -> action`` for any of the book's policy forms.

    Parameters
    ----------
    policy : None, callable, int ndarray (n_states,) or ndarray (n_states, n_actions)
        None picks uniformly at random among the actions that
        ``info["action_mask"]`` allows (all, without a mask; one
        ``rng.integers`` draw); a callable is called as ``policy(obs, rng)``;
        an int array is a deterministic policy; a float array holds the
        probabilities ``pi[s, a]``, sampled with one ``rng.random()`` draw by
        :class:`rlbook.envs.base.Categorical` (the action ``rng.choice`` would pick).
    n_actions : int
    n_states : int, optional
        Checked against an array policy's shape when given.

    Returns
    -------
    callable
        ``act(obs, info, rng)``. An array policy's row is checked the first
        time its state is met (as :func:`policy_table` checks it; rows of
        states never met, such as terminal ones, may hold anything).

    Raises
    ------
    ValueError
        If ``policy`` has none of the accepted forms. ``act`` raises if a
        row is malformed, or rather than return an action that
        ``info["action_mask"]`` forbids (the callable's choice, an int array's
        action, or any action a probability row gives a positive chance).

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.agent import as_actor
    >>> act = as_actor([2, 0], n_actions=3, n_states=2)
    >>> print(int(act(0, {}, np.random.default_rng(0))))
    2
    """
    if callable(policy):
        def act(obs, info, rng):
            action = policy(obs, rng)
            mask = info.get("action_mask") if info else None
            if mask is not None and not mask[action]:
                raise ValueError(f"the policy chose action {action} in state {obs}, which "
                                 "info['action_mask'] forbids")
            return action

        return act
    allowed_in = ActionSets(n_actions)
    if policy is None:
        def act(obs, info, rng):
            acts = allowed_in(obs, info)
            if acts is None:
                return int(rng.integers(n_actions))
            return acts[int(rng.integers(len(acts)))]

        return act
    table = np.asarray(policy)
    n_rows = n_states if n_states is not None else (len(table) if table.ndim else 0)
    policy_table(table, n_rows, n_actions, where=np.zeros(n_rows, dtype=bool),
                 also=_FORMS)                                    # the form and shape only
    deterministic, rows = table.ndim == 1, {}                    # rows: state -> its sampler

    def row(s, acts):
        """Check state ``s``'s row the first time it is met; keep its sampler."""
        if not 0 <= s < n_rows:
            raise ValueError(f"the policy has no row for state {s}; it has {n_rows}")
        pi = policy_table(table, n_rows, n_actions, where=np.arange(n_rows) == s)[s]
        forbidden = [b for b in np.flatnonzero(pi > 0) if acts is not None and b not in acts]
        if forbidden:
            raise ValueError(f"the policy gives action {forbidden[0]} probability "
                             f"{pi[forbidden[0]]:.3g} in state {s}, which "
                             "info['action_mask'] forbids")
        rows[s] = int(table[s]) if deterministic else Categorical(pi)
        return rows[s]

    def act(obs, info, rng):
        choice = rows.get(obs)
        if choice is None:
            choice = row(obs, allowed_in(obs, info))
        return choice if deterministic else choice.sample(rng)

    return act


# -- one episode ------------------------------------------------------------------

@dataclass(frozen=True)
class Episode:
    """One episode: ``states[t]``, ``actions[t]``, ``rewards[t]`` for each step ``t``.

    ``final_state`` is the state the last step led to; ``terminated`` says the
    episode reached a terminal state, ``truncated`` that it hit the step limit.
    """

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    final_state: int
    terminated: bool
    truncated: bool

    @property
    def length(self) -> int:
        return len(self.rewards)

    def discounted_return(self, gamma: float) -> float:
        """``G_0`` of this episode."""
        return discounted_return(self.rewards, gamma)


# --8<-- [start:play_episode]
def play_episode(env, choose, *, seed=None, max_steps=None):
    """Run one episode, choosing each action with ``choose(obs, info)``.

    The episode ends when the environment says ``terminated`` (a terminal
    state) or ``truncated`` (its own step limit), or after ``max_steps``
    steps (then it counts as truncated). ``seed`` goes to ``env.reset``.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.agent import play_episode
    >>> env = rlbook.GridWorld(["S . G"])
    >>> episode = play_episode(env, lambda obs, info: 1, seed=0)
    >>> print(episode.actions.tolist(), episode.rewards.tolist())
    [1, 1] [-1.0, 10.0]
    """
    obs, info = env.reset(seed=seed)
    states, actions, rewards = [], [], []
    terminated = truncated = False
    while not (terminated or truncated):
        action = choose(obs, info)
        next_obs, reward, terminated, truncated, info = env.step(action)
        states.append(obs)
        actions.append(action)
        rewards.append(reward)
        obs = next_obs
        if len(rewards) == max_steps:
            truncated = truncated or not terminated
    return Episode(np.array(states), np.array(actions), np.array(rewards, dtype=float),
                   int(obs), bool(terminated), bool(truncated))
# --8<-- [end:play_episode]
