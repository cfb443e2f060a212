"""Cliff walking (Sutton and Barto 2018, Example 6.6) as a :class:`GridWorld`.

A 4 x 12 grid. The agent starts bottom-left (``S``) and must reach the goal
bottom-right (``G``); the cells between them on the bottom row are a cliff
(``C``). Every step costs -1 (entering the goal too); stepping into the cliff
costs -100 and sends the agent back to the start without ending the episode.

The shortest route runs along the cliff edge: up, 11 steps right, down, 13
steps, return -13. States, actions (``UP, RIGHT, DOWN, LEFT = 0..3``) and
rewards match Gymnasium's ``CliffWalking`` environment, so results carry
over. Chapter 5 of the book compares SARSA and Q-learning here.
"""

from __future__ import annotations

from rlbook.envs.gridworld import GridWorld

# --8<-- [start:layout]
CLIFF_LAYOUT = (
    "............",
    "............",
    "............",
    "SCCCCCCCCCCG",
)
# --8<-- [end:layout]


def cliff_walking(max_steps=None) -> GridWorld:
    """The cliff-walking grid of Sutton and Barto's Example 6.6.

    Parameters
    ----------
    max_steps : int or None, default None
        Truncate episodes after this many steps.

    Returns
    -------
    GridWorld
        Start state 36, goal state 47, cliff states 37 to 46.

    Raises
    ------
    ValueError
        If ``max_steps`` is not a positive integer or None.

    Examples
    --------
    >>> from rlbook.envs.cliff import cliff_walking
    >>> env = cliff_walking()
    >>> print(env.observation_space.n, env.action_space.n)
    48 4
    """
    return GridWorld(CLIFF_LAYOUT, step_reward=-1.0, goals={"G": -1.0}, cliff_reward=-100.0,
                     max_steps=max_steps)
