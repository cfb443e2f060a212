"""Figures of chapter 1: the RL loop, rewards and returns."""

import matplotlib.pyplot as plt

from figures._registry import figure
from rlbook import GridWorld, discounted_return, rollout
from rlbook.plotting import plot_bars, plot_grid

ROUTES = {
    "auto_approve": [-120],
    "request_evidence\nthen approve": [-4, 70],
    "human_review\nthen approve": [-18, 80],
}


@figure("ch01-route-returns")
def route_returns():
    fig, ax = plt.subplots(figsize=(6, 3.2))
    returns = [discounted_return(r, 0.9) for r in ROUTES.values()]
    plot_bars(ax, list(ROUTES), returns, fmt="{:.0f}", color=["tab:red", "tab:green", "tab:blue"])
    ax.set_ylabel("discounted return $G_0$ ($\\gamma$ = 0.9)")
    ax.set_title("Three routes for a stale access request")
    ax.margins(y=0.12)
    return fig


@figure("ch01-random-rollout")
def random_rollout():
    env = GridWorld(["S . .", ". # .", ". . G"], max_steps=50)
    episode = rollout(env, seed=4)
    path = [*episode.states, episode.final_state]
    fig, ax = plt.subplots(figsize=(3.6, 3.6))
    plot_grid(ax, env, path=path)
    ax.set_title(f"Random policy, seed 4: {episode.length} steps")
    return fig
