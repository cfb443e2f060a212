"""Time-ordered train / validation / test splits of logged episodes.

A deployed policy only ever acts on the future. An honest estimate therefore
trains on the past, tunes on a later validation window and reports once on an
even later test window, with no episode (and, if asked, no user) on two sides:

    train:       every episode ends before  validation_start
    validation:  validation_start <= start, end < test_start
    test:        test_start       <= start

A log is a sequence of records (dicts), one per logged step, each with a
timestamp and an episode id (and optionally a user id). Timestamps can be any
mutually comparable values: numbers, ``datetime`` objects, or ISO strings of
one format such as ``"2024-03-01 09:30"``.

Chapter 7 of the book explains why random splits of logged episodes leak.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Split", "check_split", "time_split"]

SIDES = ("train", "validation", "test")


@dataclass(frozen=True)
class Split:
    """Records of a time-ordered split.

    Attributes
    ----------
    train, validation, test : tuple of dict
        The log records of each side, in log order.
    dropped : tuple of dict
        Held-out records left out because their user was already seen on an
        earlier side (only when ``time_split`` was given a ``user_key``).
    """

    train: tuple
    validation: tuple
    test: tuple
    dropped: tuple = ()

    def sizes(self, episode_key="episode_id") -> dict:
        """Number of distinct episodes on each side."""
        return {side: len({r[episode_key] for r in getattr(self, side)}) for side in SIDES}


def _field(record, key, index):
    try:
        return record[key]
    except (KeyError, TypeError):
        raise ValueError(f"record {index} has no {key!r} field") from None


def _episodes(records, time_key, episode_key):
    """Group records by episode id: {id: [records]} in log order, with in-episode time checks."""
    episodes = {}
    for index, record in enumerate(records):
        episode = _field(record, episode_key, index)
        _field(record, time_key, index)
        steps = episodes.setdefault(episode, [])
        if steps and record[time_key] < steps[-1][time_key]:
            raise ValueError(
                f"episode {episode!r}: step {len(steps)} at {record[time_key]} comes before "
                f"step {len(steps) - 1} at {steps[-1][time_key]}; timestamps must not go "
                "backwards within an episode")
        steps.append(record)
    return episodes


# --8<-- [start:time_split]
def time_split(records, *, validation_start, test_start, time_key="timestamp",
               episode_key="episode_id", user_key=None):
    """Split logged episodes by time into train, validation and test.

    Parameters
    ----------
    records : sequence of dict
        Log records (one per step), each with ``time_key`` and ``episode_key``.
    validation_start, test_start :
        Timestamps that open the validation and the test window.
    time_key, episode_key : str
        Names of the timestamp and episode-id fields.
    user_key : str or None
        If given, a held-out side keeps only users never seen on an earlier
        side (their other records go to ``Split.dropped``), so held-out
        numbers are about new users.

    Returns
    -------
    Split

    Raises
    ------
    ValueError
        If a record lacks a field; if timestamps go backwards within an
        episode; if ``test_start < validation_start``; if an episode runs
        across a window boundary (the message names the episode).
    """
    if test_start < validation_start:
        raise ValueError(f"test_start {test_start} is before validation_start {validation_start}")
    sides = {side: [] for side in SIDES}
    for episode, steps in _episodes(records, time_key, episode_key).items():
        start, end = steps[0][time_key], steps[-1][time_key]
        if end < validation_start:
            side = "train"
        elif validation_start <= start and end < test_start:
            side = "validation"
        elif test_start <= start:
            side = "test"
        else:
            raise ValueError(f"episode {episode!r} runs from {start} to {end}, across a window "
                             f"boundary (validation_start {validation_start}, test_start "
                             f"{test_start}); it would be on two sides")
        sides[side].extend(steps)
    dropped = []
    if user_key is not None:
        seen = set()
        for side in SIDES:
            kept = []
            for index, record in enumerate(sides[side]):
                (dropped if _field(record, user_key, index) in seen else kept).append(record)
            seen |= {record[user_key] for record in kept}
            sides[side] = kept
    split = Split(*(tuple(sorted(sides[s], key=lambda r: r[time_key])) for s in SIDES),
                  dropped=tuple(dropped))
    check_split(split.train, split.validation, split.test, time_key=time_key,
                episode_key=episode_key, user_key=user_key)
    return split
# --8<-- [end:time_split]


# --8<-- [start:check_split]
def check_split(train, validation, test, *, time_key="timestamp", episode_key="episode_id",
                user_key=None):
    """Raise if a split of logged records leaks across sides.

    Checks, in this order: no episode id (and no user id, if ``user_key`` is
    given) appears on two sides; every train record is earlier than every
    validation record, and every validation record earlier than every test
    record. Use it on any split, including one made by hand.

    Raises
    ------
    ValueError
        Naming the id found on two sides, or the two records (ids and
        timestamps) out of time order.
    """
    sides = dict(zip(SIDES, (list(train), list(validation), list(test))))
    keys = [episode_key] + ([user_key] if user_key is not None else [])
    for side, records in sides.items():
        for index, record in enumerate(records):
            for key in [time_key, *keys]:
                _field(record, key, f"{index} of {side}")
    for key in keys:
        owner = {}
        for side, records in sides.items():
            for record in records:
                first = owner.setdefault(record[key], side)
                if first != side:
                    raise ValueError(f"{key} {record[key]!r} appears in both {first} and {side}")
    for earlier, later in zip(SIDES, SIDES[1:]):
        if not sides[earlier] or not sides[later]:
            continue
        last = max(sides[earlier], key=lambda r: r[time_key])
        first = min(sides[later], key=lambda r: r[time_key])
        if not last[time_key] < first[time_key]:
            raise ValueError(
                f"{earlier} episode {last[episode_key]!r} at {last[time_key]} is not earlier "
                f"than {later} episode {first[episode_key]!r} at {first[time_key]}; "
                "splits must be ordered in time")
# --8<-- [end:check_split]
