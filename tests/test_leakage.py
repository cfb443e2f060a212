"""Tests for rlbook.leakage: fields unknown at decision time."""

import numpy as np
import pytest

from rlbook.leakage import check_features, fields_recorded_after, leakage_fields
from rlbook.problems import SNAPSHOT_SCHEMA, access_request_log

SNAPSHOT = ["request_id", "requested_at", "requester", "resource", "requires_review",
            "evidence_attached"]
LOGGED = ["request_id", "requested_at", "requester", "resource", "requires_review",
          "evidence_attached", "evidence_received_at", "review_outcome", "approval_reversed",
          "reviewer_assigned_at"]


def test_leakage_fields_lists_the_syllabus_fields_in_log_order():
    assert leakage_fields(SNAPSHOT, LOGGED) == [
        "evidence_received_at", "review_outcome", "approval_reversed", "reviewer_assigned_at"]
    assert leakage_fields(SNAPSHOT, SNAPSHOT) == []


def test_leakage_fields_accepts_mappings_schema_and_record():
    schema = {name: str for name in SNAPSHOT}
    record = {name: None for name in LOGGED[::-1]}
    assert leakage_fields(schema, record) == [
        "reviewer_assigned_at", "approval_reversed", "review_outcome", "evidence_received_at"]


def test_leakage_fields_on_a_generated_log_record():
    record = access_request_log(1, behavior=np.ones((2, 3)) / 3, seed=0)[0]
    assert leakage_fields(SNAPSHOT_SCHEMA, record) == [
        "action", "propensity", "reward", "outcome_at", "evidence_received_at",
        "reviewer_assigned_at", "review_outcome", "approval_reversed"]


def test_check_features():
    check_features(["requires_review", "resource"], SNAPSHOT)
    with pytest.raises(ValueError, match="features not available at decision time: "
                                         "'review_outcome', 'approval_reversed'"):
        check_features(["resource", "review_outcome", "approval_reversed"], SNAPSHOT)


def test_leakage_errors():
    with pytest.raises(ValueError, match="snapshot_schema must be a collection of field names, "
                                         "not the string 'requested_at'"):
        leakage_fields("requested_at", LOGGED)
    with pytest.raises(ValueError, match=r"logged_fields must hold field names \(str\); got 3"):
        leakage_fields(SNAPSHOT, ["a", 3])
    with pytest.raises(ValueError, match="snapshot_schema is empty"):
        leakage_fields([], LOGGED)


def test_fields_recorded_after_the_decision():
    log = access_request_log(200, behavior=np.ones((2, 3)) / 3, seed=1)
    late = fields_recorded_after(log, ["evidence_received_at", "reviewer_assigned_at",
                                       "timestamp", "outcome_at"])
    assert late == ["evidence_received_at", "reviewer_assigned_at", "outcome_at"]
    records = [{"t": 5, "a": 4, "b": None}, {"t": 5, "a": 5, "c": 6}]
    assert fields_recorded_after(records, ["a", "b", "c"], decision_time_key="t") == ["c"]
    with pytest.raises(ValueError, match="record 1 has no 't' field"):
        fields_recorded_after([{"t": 1}, {"a": 2}], ["a"], decision_time_key="t")
