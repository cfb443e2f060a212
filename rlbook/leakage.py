"""Leakage checks: logged fields that would not exist when the decision is made.

A policy decides from a *decision-time snapshot*: the fields known at the
moment it acts. Logs also hold what happened afterwards: when evidence
arrived, what the reviewer decided, whether an approval was reversed, events
that the router's own action caused. A policy trained or evaluated with those
fields looks brilliant offline and cannot exist in production. Two checks:

* by schema: a logged field is a leak if the snapshot schema does not list it
  (:func:`leakage_fields`, :func:`check_features`);
* by time: a timestamp field whose value is later than the decision time in
  some record was recorded after the decision (:func:`fields_recorded_after`).

Chapter 11 of the book explains it.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["check_features", "fields_recorded_after", "leakage_fields"]


def _names(fields, what):
    """Field names from a list of names or the keys of a mapping (a schema or a record)."""
    if isinstance(fields, str):
        raise ValueError(f"{what} must be a collection of field names, not the string {fields!r}")
    names = list(fields.keys() if isinstance(fields, Mapping) else fields)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"{what} must hold field names (str); got {name!r}")
    return names


# --8<-- [start:leakage_fields]
def leakage_fields(snapshot_schema, logged_fields):
    """The logged fields that the decision-time snapshot does not contain.

    Parameters
    ----------
    snapshot_schema : collection of str, or mapping of {str: type}
        Fields available when the decision is made.
    logged_fields : collection of str, or a mapping such as one log record
        Fields present in the log.

    Returns
    -------
    list of str
        The leaking fields, in the order of ``logged_fields``.

    Raises
    ------
    ValueError
        If either argument is a bare string or holds a non-string name, or if
        the snapshot schema is empty.

    Examples
    --------
    >>> import rlbook
    >>> print(rlbook.leakage_fields(["user", "request"], ["user", "request", "resolved"]))
    ['resolved']
    """
    snapshot = set(_names(snapshot_schema, "snapshot_schema"))
    if not snapshot:
        raise ValueError("snapshot_schema is empty; list the fields known at decision time")
    return [name for name in _names(logged_fields, "logged_fields") if name not in snapshot]
# --8<-- [end:leakage_fields]


# --8<-- [start:check_features]
def check_features(features, snapshot_schema):
    """Raise if a policy's input features include a field unknown at decision time.

    Raises
    ------
    ValueError
        Listing every leaking feature.

    Examples
    --------
    >>> from rlbook.leakage import check_features
    >>> try:
    ...     check_features(["user", "resolved"], ["user", "request"])
    ... except ValueError:
    ...     print("ValueError")
    ValueError
    """
    leaked = leakage_fields(snapshot_schema, features)
    if leaked:
        listed = ", ".join(repr(name) for name in leaked)
        raise ValueError(f"features not available at decision time: {listed}")
# --8<-- [end:check_features]


# --8<-- [start:fields_recorded_after]
def fields_recorded_after(records, time_fields, *, decision_time_key="timestamp"):
    """Timestamp fields whose value is later than the decision in at least one record.

    Parameters
    ----------
    records : sequence of dict
        Log records, each with ``decision_time_key``.
    time_fields : collection of str
        The fields that hold timestamps (comparable with the decision time).
        A missing field or a None value counts as "not recorded".
    decision_time_key : str
        The field holding the time of the decision.

    Returns
    -------
    list of str
        In the order of ``time_fields``.

    Raises
    ------
    ValueError
        If a record has no ``decision_time_key``.

    Examples
    --------
    >>> from rlbook.leakage import fields_recorded_after
    >>> records = [{"timestamp": "2024-01-01 08:00", "reviewed_at": "2024-01-01 09:00"}]
    >>> print(fields_recorded_after(records, ["reviewed_at"]))
    ['reviewed_at']
    """
    names = _names(time_fields, "time_fields")
    late = set()
    for index, record in enumerate(records):
        if decision_time_key not in record:
            raise ValueError(f"record {index} has no {decision_time_key!r} field")
        decided = record[decision_time_key]
        late |= {name for name in names
                 if record.get(name) is not None and record[name] > decided}
    return [name for name in names if name in late]
# --8<-- [end:fields_recorded_after]
