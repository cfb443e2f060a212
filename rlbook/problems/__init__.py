"""The book's worlds, one module per world; the algorithms that run on them live elsewhere.

* ``access_review`` -- the running example (chapters 1-5, 8 and 11): the MDP, the payoffs
  of its first decision computed from ``Q*``, that decision as a bandit, and
  chapter 11's access requests (cases, outcome table, sampled outcomes, a log);
* ``gridworlds`` -- Sutton and Barto's 5x5 and 4x4 grids, the walled 3x3 grid,
  any text layout, and large slippery grids;
* ``maze`` -- random mazes as text layouts and their slippery MDPs, stored
  sparse (chapter 4's 300 x 300 maze);
* ``support_router`` -- a support-ticket router (chapter 2);
* ``bandits`` -- the 10-armed testbed, a drifting arm and Bernoulli arms (chapter 6);
* ``random_walk`` -- Sutton and Barto's random walk (5 or 19 states), its values in
  closed form and fast sampled episodes (chapter 5);
* ``ab_example`` -- the eight episodes of Example 6.4, batch TD vs batch MC (chapter 5);
* ``maximization_bias`` -- Example 6.7's two states with noisy rewards (chapter 5);
* ``short_corridor`` -- Sutton and Barto's corridor with switched actions,
  whose best policy is stochastic (chapter 8);
* ``continuous_bandit`` -- a one-step bandit with a real-valued action and a
  closed-form optimum, for Gaussian policies (chapter 8);
* ``length_hacking`` -- a learned reward that likes length, and the KL
  penalty's sweep over ``beta`` (chapter 8);
* ``tiny_language`` -- six letters, two prompts, at most five tokens: a
  pretrained model, a demonstrator, a hidden reward and preference pairs
  for :class:`rlbook.toy_lm.ToyLM` (chapter 10).

Every name is importable from here (``from rlbook.problems import
access_review_mdp``); the ones the chapters call first are also in
:mod:`rlbook` itself.
"""

from rlbook.problems.ab_example import AB_STATES, ab_episodes
from rlbook.problems.access_review import (
    ACTIONS,
    CASES,
    OUTCOME_DELAY_MINUTES,
    OUTCOME_TABLE,
    SNAPSHOT_SCHEMA,
    access_request_log,
    access_request_outcomes,
    access_review_bandit,
    access_review_mdp,
    outcome_table,
    route_outcomes,
)
from rlbook.problems.bandits import bernoulli_bandit, drifting_arm_bandit, ten_armed_testbed
from rlbook.problems.continuous_bandit import QuadraticBandit
from rlbook.problems.gridworlds import (
    GRID_4X4,
    WALLED_3X3,
    gridworld_4x4,
    gridworld_mdp,
    slippery_gridworld,
    sutton_barto_gridworld,
    walled_3x3_gridworld,
)
from rlbook.problems.length_hacking import (
    LENGTH_CENTRE,
    LENGTH_SCALE,
    BetaSweep,
    LengthHackingScenario,
    beta_sweep,
    length_hacking_scenario,
)
from rlbook.problems.maximization_bias import MaximizationBias
from rlbook.problems.maze import intended_route, make_maze, maze_mdp
from rlbook.problems.random_walk import (
    random_walk_env,
    random_walk_episodes,
    random_walk_mdp,
    random_walk_values,
)
from rlbook.problems.short_corridor import short_corridor
from rlbook.problems.support_router import support_router_mdp
from rlbook.problems.tiny_language import (
    demonstrations,
    demonstrator_lm,
    preference_pairs,
    pretrained_lm,
    reference_lm,
    true_reward,
)

__all__ = [
    "AB_STATES",
    "ACTIONS",
    "BetaSweep",
    "CASES",
    "GRID_4X4",
    "LENGTH_CENTRE",
    "LENGTH_SCALE",
    "LengthHackingScenario",
    "MaximizationBias",
    "OUTCOME_DELAY_MINUTES",
    "OUTCOME_TABLE",
    "QuadraticBandit",
    "SNAPSHOT_SCHEMA",
    "WALLED_3X3",
    "ab_episodes",
    "access_request_log",
    "access_request_outcomes",
    "access_review_bandit",
    "access_review_mdp",
    "bernoulli_bandit",
    "beta_sweep",
    "demonstrations",
    "demonstrator_lm",
    "drifting_arm_bandit",
    "gridworld_4x4",
    "gridworld_mdp",
    "intended_route",
    "length_hacking_scenario",
    "make_maze",
    "maze_mdp",
    "outcome_table",
    "preference_pairs",
    "pretrained_lm",
    "random_walk_env",
    "random_walk_episodes",
    "random_walk_mdp",
    "random_walk_values",
    "reference_lm",
    "route_outcomes",
    "short_corridor",
    "slippery_gridworld",
    "support_router_mdp",
    "sutton_barto_gridworld",
    "ten_armed_testbed",
    "true_reward",
    "walled_3x3_gridworld",
]
