"""Time-ordered train / validation / test splits of logged episodes.

A deployed policy only ever acts on the future. An honest estimate therefore
trains on the past, tunes on a later validation window and reports once on an
even later test window, with no episode (and, if asked, no user) on two sides:

    train:       every episode ends before  validation_start - embargo
    validation:  validation_start <= start, end < test_start - embargo
    test:        test_start       <= start

An episode's reward is often known long after its decision (evidence arrives
hours later, a bad approval is reversed at an audit days later). A training
episode decided just before ``validation_start`` whose reward arrives after it
carries information from the validation window into training: a policy built
at ``validation_start`` could not have seen that reward. The **embargo**, a
gap at least as long as the longest outcome delay left out before each
window, removes those episodes, and :func:`check_split` with an
``outcome_key`` raises on any episode whose outcome is known only after the
next side starts (purging and embargo: M. López de Prado, *Advances in
Financial Machine Learning*, Wiley 2018, ch. 7).

A log is a sequence of records (dicts), one per logged step, each with a
timestamp and an episode id (and optionally a user id and an outcome time).
Timestamps are numbers, ``datetime`` objects, or ISO strings such as
``"2024-03-01 09:30"`` (read with ``datetime.fromisoformat``); an embargo is
then a number or a ``datetime.timedelta``.

Chapter 11 of the book explains why random splits of logged episodes leak.
"""

from __future__ import annotations

import datetime as dt
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
    embargoed : tuple of dict
        Records of the episodes that fell in the embargo gap before the
        validation or the test window (only when ``time_split`` was given an
        ``embargo``).
    """

    train: tuple
    validation: tuple
    test: tuple
    dropped: tuple = ()
    embargoed: tuple = ()

    def sizes(self, episode_key="episode_id") -> dict:
        """Number of distinct episodes on each side."""
        return {side: len({r[episode_key] for r in getattr(self, side)}) for side in SIDES}


def _field(record, key, index):
    try:
        return record[key]
    except (KeyError, TypeError):
        raise ValueError(f"record {index} has no {key!r} field") from None


def _moment(value, what):
    """A comparable time: ISO strings become datetimes, other values are kept."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{what} is {value!r}, not an ISO date such as "
                             "'2024-03-01 09:30'") from None
    return value


def _before(moment, gap, what):
    """``moment - gap``, or a ValueError if the gap does not fit the timestamps."""
    try:
        return moment - gap
    except TypeError:
        raise ValueError(f"embargo {gap!r} cannot be subtracted from {what} {moment!r}; use a "
                         "number for numeric timestamps and a datetime.timedelta for "
                         "dates") from None


def _episodes(records, time_key, episode_key):
    """Group records by episode id: {id: [records]} in log order, with in-episode time checks."""
    episodes = {}
    for index, record in enumerate(records):
        episode = _field(record, episode_key, index)
        _field(record, time_key, index)
        steps = episodes.setdefault(episode, [])
        if steps and (_moment(record[time_key], f"record {index}'s {time_key}")
                      < _moment(steps[-1][time_key], time_key)):
            raise ValueError(
                f"episode {episode!r}: step {len(steps)} at {record[time_key]} comes before "
                f"step {len(steps) - 1} at {steps[-1][time_key]}; timestamps must not go "
                "backwards within an episode")
        steps.append(record)
    return episodes


# --8<-- [start:time_split]
def time_split(records, *, validation_start, test_start, embargo=None, time_key="timestamp",
               episode_key="episode_id", user_key=None, outcome_key=None):
    """Split logged episodes by time into train, validation and test.

    Parameters
    ----------
    records : sequence of dict
        Log records (one per step), each with ``time_key`` and ``episode_key``.
    validation_start, test_start :
        Timestamps that open the validation and the test window.
    embargo : number or datetime.timedelta, optional
        A gap before each window: episodes that end within ``embargo`` before
        ``validation_start`` or ``test_start`` go to ``Split.embargoed``.
        Make it at least the longest delay between a decision and its outcome.
    time_key, episode_key : str
        Names of the timestamp and episode-id fields.
    user_key : str or None
        If given, a held-out side keeps only users never seen on an earlier
        side (their other records go to ``Split.dropped``), so held-out
        numbers are about new users.
    outcome_key : str or None
        The field holding when a record's reward became known (None: not
        yet); if given, checked as in :func:`check_split`.

    Returns
    -------
    Split

    Raises
    ------
    ValueError
        If a record lacks a field; if timestamps go backwards within an
        episode; if ``test_start < validation_start``; if an episode runs
        across a window boundary (naming it); if the embargo is negative or
        of the wrong kind; as :func:`check_split`.

    Examples
    --------
    >>> import rlbook
    >>> records = [{"episode_id": i, "timestamp": f"2024-01-0{i + 1}"} for i in range(6)]
    >>> split = rlbook.time_split(records, validation_start="2024-01-03", test_start="2024-01-05")
    >>> print(len(split.train), len(split.validation), len(split.test))
    2 2 2
    """
    v_start = _moment(validation_start, "validation_start")
    t_start = _moment(test_start, "test_start")
    if t_start < v_start:
        raise ValueError(f"test_start {test_start} is before validation_start {validation_start}")
    v_cut, t_cut = v_start, t_start
    if embargo is not None:
        v_cut, t_cut = (_before(v_start, embargo, "validation_start"),
                        _before(t_start, embargo, "test_start"))
        if v_cut > v_start:
            raise ValueError(f"embargo must be >= 0; got {embargo!r}")
    sides = {side: [] for side in (*SIDES, "embargoed")}
    for episode, steps in _episodes(records, time_key, episode_key).items():
        start, end = _moment(steps[0][time_key], time_key), _moment(steps[-1][time_key], time_key)
        if end < v_cut:
            side = "train"
        elif end < v_start or (v_start <= start and t_cut <= end < t_start):
            side = "embargoed"
        elif v_start <= start and end < t_cut:
            side = "validation"
        elif t_start <= start:
            side = "test"
        else:
            raise ValueError(f"episode {episode!r} runs from {steps[0][time_key]} to "
                             f"{steps[-1][time_key]}, across a window boundary "
                             f"(validation_start {validation_start}, test_start "
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
    by_time = lambda r: _moment(r[time_key], time_key)  # noqa: E731
    split = Split(*(tuple(sorted(sides[s], key=by_time)) for s in SIDES),
                  dropped=tuple(dropped), embargoed=tuple(sorted(sides["embargoed"], key=by_time)))
    check_split(split.train, split.validation, split.test, time_key=time_key,
                episode_key=episode_key, user_key=user_key, outcome_key=outcome_key,
                embargo=embargo)
    return split
# --8<-- [end:time_split]


# --8<-- [start:check_split]
def check_split(train, validation, test, *, time_key="timestamp", episode_key="episode_id",
                user_key=None, outcome_key=None, embargo=None):
    """Raise if a split of logged records leaks across sides.

    Checks, in this order: no episode id (and no user id, if ``user_key`` is
    given) appears on two sides; every train record is earlier than every
    validation record, and every validation record earlier than every test
    record, by more than ``embargo`` if one is given; if ``outcome_key`` is
    given, every outcome of a side is known before the next side's first
    record (an outcome that arrives later is information from the next window,
    a leak). Use it on any split, including one made by hand.

    Raises
    ------
    ValueError
        Naming the id found on two sides, the two records (ids and
        timestamps) out of time order or too close, or the episode whose
        outcome arrives after the next side starts.

    Examples
    --------
    >>> import rlbook
    >>> train = [{"episode_id": 0, "timestamp": "2024-01-01"}]
    >>> test = [{"episode_id": 0, "timestamp": "2024-01-02"}]
    >>> try:
    ...     rlbook.check_split(train, [], test)
    ... except ValueError as error:
    ...     print("ValueError")
    ValueError
    """
    sides = dict(zip(SIDES, (list(train), list(validation), list(test))))
    keys = [episode_key] + ([user_key] if user_key is not None else [])
    required = [time_key, *keys] + ([outcome_key] if outcome_key is not None else [])
    for side, records in sides.items():
        for index, record in enumerate(records):
            for key in required:
                _field(record, key, f"{index} of {side}")
    for key in keys:
        owner = {}
        for side, records in sides.items():
            for record in records:
                first = owner.setdefault(record[key], side)
                if first != side:
                    raise ValueError(f"{key} {record[key]!r} appears in both {first} and {side}")
    when = lambda r: _moment(r[time_key], time_key)  # noqa: E731
    for earlier, later in zip(SIDES, SIDES[1:]):
        if not sides[earlier] or not sides[later]:
            continue
        last, first = max(sides[earlier], key=when), min(sides[later], key=when)
        opens = when(first)
        limit = opens if embargo is None else _before(opens, embargo, f"{later}'s first time")
        if not when(last) < limit:
            gap = "" if embargo is None else f" by more than the embargo {embargo}"
            raise ValueError(
                f"{earlier} episode {last[episode_key]!r} at {last[time_key]} is not earlier "
                f"than {later} episode {first[episode_key]!r} at {first[time_key]}{gap}; "
                "splits must be ordered in time")
        if outcome_key is None:
            continue
        known = [(_moment(r[outcome_key], outcome_key), r) for r in sides[earlier]
                 if r[outcome_key] is not None]
        if known:
            latest, record = max(known, key=lambda pair: pair[0])
            if not latest < opens:
                raise ValueError(
                    f"{earlier} episode {record[episode_key]!r} decided at {record[time_key]} "
                    f"has its outcome at {record[outcome_key]}, after {later} starts at "
                    f"{first[time_key]}: a reward from the {later} window leaks into "
                    f"{earlier}; leave a gap (embargo) of at least the outcome delay")
# --8<-- [end:check_split]
