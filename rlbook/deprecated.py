"""Old public names, kept for one release (rlbook 0.1.x); each use warns.

Sutton and Barto call estimating the value of a fixed policy from experience
*prediction* and keep *policy evaluation* for the dynamic-programming
computation (:func:`rlbook.dp.policy_evaluation`); rlbook now does the same.
Every module that lost a name sets ``__getattr__ = module_getattr(__name__)``,
so the old name still works and raises ``DeprecationWarning`` saying what to
use instead. They will be removed in rlbook 0.2.
"""

from __future__ import annotations

import importlib
import warnings

__all__ = ["RENAMED", "as_policy_function", "module_getattr"]

RENAMED = {
    # old place: new place
    "rlbook.td0_evaluation": "rlbook.td.td0_prediction",
    "rlbook.mc_evaluation": "rlbook.monte_carlo.mc_prediction",
    "rlbook.PolicyEvaluation": "rlbook.evaluation.ReturnSummary",
    "rlbook.td.td0_evaluation": "rlbook.td.td0_prediction",
    "rlbook.td.EvaluationResult": "rlbook.agent.PredictionResult",
    "rlbook.monte_carlo.mc_evaluation": "rlbook.monte_carlo.mc_prediction",
    "rlbook.exploration.visit_step_size": "rlbook.agent.visit_step_size",
    "rlbook.evaluation.PolicyEvaluation": "rlbook.evaluation.ReturnSummary",
    "rlbook.rollout.as_policy_function": "rlbook.deprecated.as_policy_function",
}
"""Each deprecated name, with the name to use instead."""


def _resolve(path):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def warn(old: str, new: str, stacklevel: int = 3) -> None:
    """Raise the ``DeprecationWarning`` for using ``old`` instead of ``new``."""
    warnings.warn(f"{old} is deprecated and will be removed in rlbook 0.2; use {new}",
                  DeprecationWarning, stacklevel=stacklevel)


def module_getattr(module_name: str):
    """A module ``__getattr__`` that serves the module's deprecated names (PEP 562)."""

    def __getattr__(name):
        old = f"{module_name}.{name}"
        if old not in RENAMED:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        new = RENAMED[old]
        if new != "rlbook.deprecated.as_policy_function":
            warn(old, new)
        return _resolve(new)

    return __getattr__


def as_policy_function(policy, n_actions):
    """Deprecated: ``rlbook.agent.as_actor(policy, n_actions)`` without the ``info`` argument.

    Returns a function ``(obs, rng) -> action``, as ``rlbook.rollout.as_policy_function`` did.
    """
    warn("rlbook.rollout.as_policy_function", "rlbook.agent.as_actor", stacklevel=2)
    from rlbook.agent import as_actor

    act = as_actor(policy, n_actions)
    return lambda obs, rng: act(obs, {}, rng)
