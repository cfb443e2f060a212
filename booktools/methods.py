"""The map of methods: every algorithm in the book, placed on the usual axes.

This is the one place the map's data lives. The page (docs/methods.md, filled in by
hooks/methods.py) and the figure (figures/book.py) are drawn from it, and
tests/test_methods.py checks that every named ``rlbook`` function exists and every linked
section exists. A new chapter adds its algorithms to ``METHODS`` (and any building block that
is not an RL algorithm to ``BUILDING_BLOCKS``).

The axes (``AXES``), as in Sutton and Barto (2018):

* model: *model-based* methods plan with \\(P\\) and \\(R\\); *model-free* ones learn from
  sampled experience;
* task: *prediction* estimates the value of a given policy; *control* finds a better policy;
* family: *value* methods learn values and act greedily on them; *policy* methods adjust a
  parameterised policy directly; *actor-critic* methods do both, the critic's values shaping
  the actor's updates;
* data: *on-policy* methods learn about the policy that generates the data, *off-policy* ones
  about another; a planner uses no samples, so the axis does not apply (``None``);
* representation: *tabular* methods keep one number per state (or state-action); *approximate*
  ones a parameterised function; *both* when the book runs it both ways.
"""

from __future__ import annotations

import importlib
import posixpath
from dataclasses import dataclass

AXES = {
    "model": ("model-based", "model-free"),
    "task": ("prediction", "control"),
    "family": ("value", "actor-critic", "policy"),
    "data": ("on-policy", "off-policy", None),
    "representation": ("tabular", "approximate", "both"),
}
NO_SAMPLES = "— (plans; no samples)"


@dataclass(frozen=True)
class Method:
    """One algorithm of the book and its place on each axis."""

    name: str
    function: str           # under rlbook: "value_iteration", "rlhf.kl_optimal_policy"
    chapter: str            # the chapter's page, "chapters/04-dynamic-programming.md"
    section: str            # the id of the section that presents it
    model: str
    task: str
    family: str
    data: str | None
    representation: str
    note: str = ""
    label: str = ""         # a short name for the figure; the name up to " (" by default

    def __post_init__(self):
        for axis, allowed in AXES.items():
            value = getattr(self, axis)
            if value not in allowed:
                raise ValueError(f"{self.name}: {axis} must be one of {allowed}; got {value!r}")
        if (self.model == "model-based") != (self.data is None):
            raise ValueError(f"{self.name}: a method uses no samples (data=None) exactly when "
                             f"it is model-based; got model={self.model!r}, data={self.data!r}")

    @property
    def qualified(self) -> str:
        return f"rlbook.{self.function}"

    @property
    def short(self) -> str:
        return self.label or self.name.split(" (")[0]

    @property
    def chapter_number(self) -> int:
        return int(posixpath.basename(self.chapter).split("-", 1)[0])


@dataclass(frozen=True)
class BuildingBlock:
    """A piece of the book's RL pipelines that is not itself an RL algorithm."""

    name: str
    function: str
    chapter: str
    section: str
    role: str

    @property
    def qualified(self) -> str:
        return f"rlbook.{self.function}"


_CH3 = "chapters/03-bellman.md"
_CH4 = "chapters/04-dynamic-programming.md"
_CH4B = "chapters/04-gpi-and-planning-at-scale.md"   # chapter 4's second page, also number 4
_CH5 = "chapters/05-learning-from-experience.md"
_CH5B = "chapters/05-more-td-and-monte-carlo.md"   # chapter 5's second page, also number 5
_CH6 = "chapters/06-exploration-bandits.md"
_CH7 = "chapters/07-function-approximation.md"
_CH8 = "chapters/08-policy-gradients.md"
_CH8B = "chapters/08-beyond-reinforce.md"   # chapter 8's second page, also number 8
_CH9 = "chapters/09-actor-critic.md"
_CH10 = "chapters/10-rlhf.md"
_CH11 = "chapters/11-evaluation.md"
_CH11B = "chapters/11-evaluation-from-logs.md"   # chapter 11's second page, also number 11

METHODS = (
    Method("Policy evaluation (linear solve or sweeps)", "policy_evaluation", _CH3,
           "policy-evaluation-two-ways", "model-based", "prediction", "value", None, "tabular"),
    Method("Value iteration", "value_iteration", _CH4, "value-iteration-on-the-access-review",
           "model-based", "control", "value", None, "tabular"),
    Method("Policy iteration", "policy_iteration", _CH4, "policy-iteration",
           "model-based", "control", "value", None, "tabular"),
    Method("Modified policy iteration", "modified_policy_iteration", _CH4B,
           "modified-policy-iteration", "model-based", "control", "value", None, "tabular",
           note="k evaluation sweeps per improvement: k = 1 is value iteration, "
                "k = infinity policy iteration"),
    Method("SARSA", "sarsa", _CH5, "sarsa-vs-q-learning-on-cliff-walking",
           "model-free", "control", "value", "on-policy", "tabular"),
    Method("Q-learning", "q_learning", _CH5, "q-learning-the-code",
           "model-free", "control", "value", "off-policy", "tabular"),
    Method("Monte Carlo prediction", "mc_prediction", _CH5B, "monte-carlo-vs-td",
           "model-free", "prediction", "value", "on-policy", "tabular"),
    Method("TD(0) prediction", "td0_prediction", _CH5B, "monte-carlo-vs-td",
           "model-free", "prediction", "value", "on-policy", "tabular"),
    Method("n-step TD prediction", "n_step_td", _CH5B, "n-step-td-between-td0-and-monte-carlo",
           "model-free", "prediction", "value", "on-policy", "tabular",
           note="n = 1 is TD(0); n at least the episode length is Monte Carlo"),
    Method("Batch TD(0)", "batch_td0", _CH5B, "batch-updating-the-same-eight-episodes-two-answers",
           "model-free", "prediction", "value", "on-policy", "tabular",
           note="converges to the values of the counted model (certainty equivalence)"),
    Method("Batch Monte Carlo", "batch_mc", _CH5B,
           "batch-updating-the-same-eight-episodes-two-answers",
           "model-free", "prediction", "value", "on-policy", "tabular",
           note="the sample mean of each state's returns"),
    Method("Monte Carlo control", "mc_control", _CH5B, "monte-carlo-control",
           "model-free", "control", "value", "on-policy", "tabular",
           note="exploring starts or an epsilon-soft policy"),
    Method("Expected SARSA", "expected_sarsa", _CH5B, "expected-sarsa",
           "model-free", "control", "value", "on-policy", "tabular",
           note="off-policy too, with a target policy other than the behaviour"),
    Method("Double Q-learning", "double_q_learning", _CH5B,
           "maximization-bias-and-double-q-learning",
           "model-free", "control", "value", "off-policy", "tabular",
           note="one table selects, the other evaluates"),
    Method("Epsilon-greedy bandit (sample average or constant step)", "epsilon_greedy_bandit",
           _CH6, "epsilon-greedy-on-the-testbed",
           "model-free", "control", "value", "on-policy", "tabular",
           note="k-armed bandit; optimistic initial values with q_init", label="ε-greedy bandit"),
    Method("UCB (upper confidence bound)", "ucb_bandit", _CH6, "upper-confidence-bounds",
           "model-free", "control", "value", "on-policy", "tabular",
           note="k-armed bandit; bonus c sqrt(ln t / N(a))"),
    Method("Thompson sampling", "thompson_bandit", _CH6, "thompson-sampling",
           "model-free", "control", "value", "on-policy", "tabular",
           note="k-armed bandit; Beta-Bernoulli or Gaussian posteriors"),
    Method("Gradient bandit", "gradient_bandit", _CH6, "the-gradient-bandit-algorithm",
           "model-free", "control", "policy", "on-policy", "tabular",
           note="softmax preferences; one-sample REINFORCE with a reward baseline"),
    Method("Semi-gradient TD(0)", "semi_gradient.semi_gradient_td0", _CH7,
           "from-tables-to-features", "model-free", "prediction", "value", "on-policy",
           "approximate", note="linear in features; one-hot features give tabular TD(0)"),
    Method("Semi-gradient SARSA", "semi_gradient.semi_gradient_sarsa", _CH7,
           "mountain-car-with-semi-gradient-sarsa", "model-free", "control", "value",
           "on-policy", "approximate", note="tile coding on Mountain Car"),
    Method("Off-policy semi-gradient TD(0)", "semi_gradient.off_policy_td0", _CH7,
           "the-deadly-triad", "model-free", "prediction", "value", "off-policy", "approximate",
           note="importance ratios; diverges on Baird's counterexample"),
    Method("DQN and Double DQN", "dqn.dqn", _CH7, "deep-q-networks",
           "model-free", "control", "value", "off-policy", "approximate",
           note="a NumPy network, experience replay, a target network; solves CartPole"),
    Method("REINFORCE", "reinforce", _CH8, "reinforce-end-to-end",
           "model-free", "control", "policy", "on-policy", "both",
           note="tabular and linear softmax policies; baselines none, mean or a learned V"),
    Method("REINFORCE with a Gaussian policy", "reinforce_gaussian", _CH8B,
           "continuous-actions-a-gaussian-policy", "model-free", "control", "policy",
           "on-policy", "approximate",
           note="one real-valued action on a bandit; mean and log standard deviation learned"),
    Method("Natural policy gradient and TRPO", "natural_gradient.trpo_step", _CH8B,
           "natural-gradient-and-trpo-measure-a-step-by-how-much-the-policy-changes",
           "model-free", "control", "policy", "on-policy", "tabular",
           note="steps measured by KL: Fisher information, a trust region, a line search; "
                "shown with exact gradients on a softmax bandit"),
    Method("PPO (clipped surrogate)", "ppo_clip_objective", _CH8B,
           "ppo-take-several-steps-on-one-batch-but-not-too-far",
           "model-free", "control", "actor-critic", "on-policy", "approximate",
           note="the book shows the clipped objective on given advantages"),
    Method("GRPO", "group_relative_advantages", _CH10, "dpo-grpo-and-rlvr-on-the-same-map",
           "model-free", "control", "policy", "on-policy", "approximate",
           note="no critic: advantages relative to a group of sampled responses"),
    Method("DPO (direct preference optimisation)", "dpo", _CH10,
           "an-rlhf-problem-small-enough-to-solve-exactly",
           "model-free", "control", "policy", "off-policy", "tabular",
           note="preference pairs, no reward model; measured against the exact pi* of a toy "
                "language model"),
    Method("PPO-RLHF (per-token KL penalty)", "ppo_rlhf", _CH10,
           "an-rlhf-problem-small-enough-to-solve-exactly",
           "model-free", "control", "actor-critic", "on-policy", "tabular",
           note="InstructGPT's recipe token by token on a toy language model; ends within "
                "0.002 nats of the exact pi*", label="PPO-RLHF"),
    Method("GAE (generalised advantage estimation)", "gae", _CH9,
           "key-equations-n-step-returns-lambda-returns-gae",
           "model-free", "prediction", "actor-critic", "on-policy", "both",
           note="advantages from a critic; lambda trades bias for variance"),
    Method("A2C (n-step advantage actor-critic)", "actor_critic.n_step_actor_critic", _CH9,
           "a2c-on-the-short-corridor", "model-free", "control", "actor-critic", "on-policy",
           "tabular", note="a softmax actor and a tabular critic, n-step advantages"),
    Method("PPO end to end", "actor_critic.ppo", _CH9, "ppo-end-to-end",
           "model-free", "control", "actor-critic", "on-policy", "approximate",
           note="CleanRL's loop with NumPy networks; solves CartPole"),
    Method("Monte Carlo policy evaluation with confidence intervals", "evaluate_policy", _CH11,
           "monte-carlo-evaluation-with-confidence-intervals",
           "model-free", "prediction", "value", "on-policy", "tabular",
           note="held-out episodes, standard error, bootstrap interval",
           label="Held-out MC evaluation"),
    Method("Importance sampling (ordinary, weighted, per-decision)", "importance_sampling", _CH11B,
           "off-policy-evaluation-importance-sampling",
           "model-free", "prediction", "value", "off-policy", "tabular",
           note="evaluates a target policy from a behaviour policy's log"),
)

BUILDING_BLOCKS = (
    BuildingBlock("Tile coding", "tile_coding.TileCoder", _CH7, "tile-coding",
                  "binary features from offset grids, for linear values"),
    BuildingBlock("Neural network (MLP)", "nn.MLP", _CH7, "deep-q-networks",
                  "forward and backward in NumPy, Adam, for DQN and actor-critic"),
    BuildingBlock("Bradley-Terry reward model", "fit_bradley_terry", _CH10,
                  "a-reward-model-from-preference-pairs",
                  "supervised: a reward fitted to preference pairs, for RLHF"),
    BuildingBlock("KL-regularised optimum", "rlhf.kl_optimal_policy", _CH10,
                  "the-kl-regularised-objective",
                  "closed form of the policy RLHF aims at; DPO's starting point"),
    BuildingBlock("Toy language model", "ToyLM", _CH10,
                  "an-rlhf-problem-small-enough-to-solve-exactly",
                  "token by token, every response enumerable: exact pi*, KL and SFT"),
    BuildingBlock("Best-of-N", "best_of_n_policy", _CH10,
                  "an-rlhf-problem-small-enough-to-solve-exactly",
                  "the exact distribution of the best of N samples; the baseline to beat"),
    BuildingBlock("Verifiable reward", "verifiable_reward", _CH10,
                  "dpo-grpo-and-rlvr-on-the-same-map",
                  "a checker instead of a learned reward, for RLVR"),
)


def resolve(function: str):
    """The object ``rlbook.<function>`` names; AttributeError/ImportError if there is none."""
    module, _, name = f"rlbook.{function}".rpartition(".")
    return getattr(importlib.import_module(module), name)


def _link(entry, page: str) -> str:
    href = posixpath.relpath(entry.chapter, posixpath.dirname(page) or ".")
    return f"{href}#{entry.section}"


def _data(method: Method) -> str:
    return method.data or NO_SAMPLES


def representation(method: Method) -> str:
    return "tabular and approximate" if method.representation == "both" else method.representation


def table_markdown(page: str = "methods.md") -> str:
    """The map as Markdown tables, links written relative to ``page``."""
    rows = ["| method | where | `rlbook` function | model | task | family | data "
            "| representation |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for m in sorted(METHODS, key=lambda m: m.chapter_number):
        name = m.name + (f"<br><small>{m.note}</small>" if m.note else "")
        rows.append(f"| {name} | [chapter {m.chapter_number}]({_link(m, page)}) "
                    f"| `{m.qualified}` | {m.model} | {m.task} | {m.family} | {_data(m)} "
                    f"| {representation(m)} |")
    blocks = ["| building block | where | `rlbook` function | role |",
              "| --- | --- | --- | --- |"]
    for b in BUILDING_BLOCKS:
        number = int(posixpath.basename(b.chapter).split("-", 1)[0])
        blocks.append(f"| {b.name} | [chapter {number}]({_link(b, page)}) | `{b.qualified}` "
                      f"| {b.role} |")
    return "\n".join(rows) + "\n\n" + "\n".join(blocks) + "\n"
