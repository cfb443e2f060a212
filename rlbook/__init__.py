"""rlbook: the code behind the executable reinforcement-learning textbook.

Every chapter of the book imports what it shows from here. The public API is
listed in ``__all__``; anything else is private and may change.
"""

from rlbook.advantages import gae, n_step_returns, td_errors
from rlbook.bandits import (
    BanditResult,
    BanditTestbed,
    epsilon_greedy_bandit,
    gradient_bandit,
    thompson_bandit,
    ucb_bandit,
)
from rlbook.batch import batch_mc, batch_td0, certainty_equivalence
from rlbook.bellman import bellman_backup, bellman_optimality_backup, greedy_policy, q_from_v
from rlbook.dp import (
    ModifiedPIResult,
    PlanningResult,
    greedy_loss_bound,
    modified_policy_iteration,
    policy_evaluation,
    policy_iteration,
    value_error_bound,
    value_iteration,
)
from rlbook.dqn import DQNConfig, ReplayBuffer, dqn
from rlbook.envs import (
    CartPole,
    Discrete,
    GridWorld,
    MountainCar,
    TabularEnv,
    cliff_walking,
    register_gymnasium,
)
from rlbook.exploration import boltzmann, epsilon_greedy, exponential_decay, linear_decay
from rlbook.evaluation import (
    ReturnSummary,
    evaluate_policy,
    select_policy,
    summarize_returns,
    t_interval,
)
from rlbook.grpo import GRPOConfig, grpo, grpo_fixed_point
from rlbook.leakage import leakage_fields
from rlbook.mdp import TabularMDP
from rlbook.n_step import n_step_td, n_step_td_episodes
from rlbook.monte_carlo import mc_control, mc_prediction
from rlbook.off_policy import effective_sample_size, importance_sampling
from rlbook.policies import GaussianPolicy, LinearSoftmaxPolicy, TabularSoftmaxPolicy, softmax
from rlbook.ppo import approx_kl, clip_zeroes_gradient, ppo_clip_objective, value_loss
from rlbook.ppo_rlhf import PPORLHFConfig, ppo_rlhf
from rlbook.problems import (
    MaximizationBias,
    ab_episodes,
    access_review_mdp,
    gridworld_4x4,
    gridworld_mdp,
    random_walk_env,
    random_walk_episodes,
    random_walk_mdp,
    random_walk_values,
    slippery_gridworld,
    support_router_mdp,
    sutton_barto_gridworld,
    ten_armed_testbed,
    walled_3x3_gridworld,
)
from rlbook.reinforce import (
    GaussianReinforceResult,
    ReinforceResult,
    bandit_update,
    policy_gradient,
    reinforce,
    reinforce_gaussian,
)
from rlbook.returns import discounted_return, returns_to_go
from rlbook.rlhf import (
    best_of_n_kl_bound,
    best_of_n_policy,
    bradley_terry_loss,
    dpo_loss,
    fit_bradley_terry,
    group_relative_advantages,
    kl_divergence,
    kl_regularized_objective,
    verifiable_reward,
)
from rlbook.rollout import Episode, rollout
from rlbook.semi_gradient import off_policy_td0, semi_gradient_sarsa, semi_gradient_td0
from rlbook.splits import check_split, time_split
from rlbook.td import (
    LearningResult,
    PredictionResult,
    double_q_learning,
    expected_sarsa,
    q_learning,
    sarsa,
    td0_prediction,
)
from rlbook.tile_coding import TileCoder
from rlbook.toy_lm import ToyLM, dpo, kl_estimates, sft, target_sweep

__all__ = [
    # chapter 1: the RL loop, rewards and returns
    "Discrete",
    "Episode",
    "GridWorld",
    "discounted_return",
    "register_gymnasium",
    "returns_to_go",
    "rollout",
    # chapter 2: Markov decision processes
    "TabularMDP",
    "access_review_mdp",
    "support_router_mdp",
    # chapter 3: Bellman equations
    "bellman_backup",
    "bellman_optimality_backup",
    "greedy_policy",
    "gridworld_4x4",
    "policy_evaluation",
    "q_from_v",
    "sutton_barto_gridworld",
    # chapter 4: dynamic programming
    "ModifiedPIResult",
    "PlanningResult",
    "greedy_loss_bound",
    "gridworld_mdp",
    "modified_policy_iteration",
    "policy_iteration",
    "slippery_gridworld",
    "value_error_bound",
    "value_iteration",
    "walled_3x3_gridworld",
    # chapter 5: learning from experience
    "LearningResult",
    "TabularEnv",
    "boltzmann",
    "cliff_walking",
    "epsilon_greedy",
    "exponential_decay",
    "linear_decay",
    "PredictionResult",
    "mc_control",
    "mc_prediction",
    "q_learning",
    "sarsa",
    "td0_prediction",
    # chapter 6: exploration and bandits
    "BanditResult",
    "BanditTestbed",
    "epsilon_greedy_bandit",
    "gradient_bandit",
    "ten_armed_testbed",
    "thompson_bandit",
    "ucb_bandit",
    # chapter 5, second half: Monte Carlo, n-step TD, batch updating, better TD control
    "MaximizationBias",
    "ab_episodes",
    "batch_mc",
    "batch_td0",
    "certainty_equivalence",
    "double_q_learning",
    "expected_sarsa",
    "n_step_td",
    "n_step_td_episodes",
    "random_walk_env",
    "random_walk_episodes",
    "random_walk_mdp",
    "random_walk_values",
    # chapter 7: function approximation and deep Q-learning
    "CartPole",
    "DQNConfig",
    "MountainCar",
    "ReplayBuffer",
    "TileCoder",
    "dqn",
    "off_policy_td0",
    "semi_gradient_sarsa",
    "semi_gradient_td0",
    # chapter 8: policy gradients to RLHF
    "LinearSoftmaxPolicy",
    "ReinforceResult",
    "TabularSoftmaxPolicy",
    "bandit_update",
    "bradley_terry_loss",
    "clip_zeroes_gradient",
    "fit_bradley_terry",
    "group_relative_advantages",
    "kl_divergence",
    "kl_regularized_objective",
    "policy_gradient",
    "ppo_clip_objective",
    "reinforce",
    "softmax",
    "verifiable_reward",
    "GaussianPolicy",
    "GaussianReinforceResult",
    "reinforce_gaussian",
    # chapter 9: actor-critic, GAE and PPO
    "approx_kl",
    "gae",
    "n_step_returns",
    "td_errors",
    "value_loss",
    # chapter 10: RLHF end to end on a language model small enough to solve exactly
    "GRPOConfig",
    "PPORLHFConfig",
    "ToyLM",
    "best_of_n_kl_bound",
    "best_of_n_policy",
    "dpo",
    "dpo_loss",
    "grpo",
    "grpo_fixed_point",
    "kl_estimates",
    "ppo_rlhf",
    "sft",
    "target_sweep",
    # chapter 11: held-out evaluation
    "ReturnSummary",
    "check_split",
    "effective_sample_size",
    "evaluate_policy",
    "importance_sampling",
    "leakage_fields",
    "select_policy",
    "summarize_returns",
    "t_interval",
    "time_split",
]

__version__ = "0.1.0"

from rlbook.deprecated import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)   # names renamed in 0.1.x (rlbook.deprecated), warn
