"""Tests for rlbook.splits: time-ordered splits and their leak guards."""

import numpy as np
import pytest

from rlbook.problems import access_request_log
from rlbook.splits import Split, check_split, time_split


def rec(episode, t, user="u1", step=0):
    return {"episode_id": episode, "timestamp": t, "user_id": user, "step": step}


LOG = [
    rec("e1", 1, "u1"), rec("e1", 2, "u1", 1),      # train (ends before 10)
    rec("e2", 5, "u2"),                             # train
    rec("e3", 12, "u3"), rec("e3", 13, "u3", 1),    # validation
    rec("e4", 15, "u1"),                            # validation, user u1 seen in train
    rec("e5", 20, "u4"),                            # test
    rec("e6", 25, "u3"),                            # test, user u3 seen in validation
]


def ids(records):
    return [r["episode_id"] for r in records]


def test_time_split_by_windows():
    split = time_split(LOG, validation_start=10, test_start=20)
    assert ids(split.train) == ["e1", "e1", "e2"]
    assert ids(split.validation) == ["e3", "e3", "e4"]
    assert ids(split.test) == ["e5", "e6"]
    assert split.dropped == ()
    assert split.sizes() == {"train": 2, "validation": 2, "test": 2}


def test_time_split_sorts_each_side_by_time_and_accepts_iso_strings():
    log = [rec("b", "2024-02-03 10:00"), rec("a", "2024-02-01 09:00"),
           rec("c", "2024-03-01 00:00"), rec("d", "2024-04-02 12:00")]
    split = time_split(log, validation_start="2024-03-01", test_start="2024-04-01")
    assert ids(split.train) == ["a", "b"]
    assert ids(split.validation) == ["c"] and ids(split.test) == ["d"]


def test_time_split_with_user_key_keeps_only_new_users_on_held_out_sides():
    split = time_split(LOG, validation_start=10, test_start=20, user_key="user_id")
    assert ids(split.validation) == ["e3", "e3"]
    assert ids(split.test) == ["e5"]
    assert ids(split.dropped) == ["e4", "e6"]


def test_time_split_raises_when_an_episode_crosses_a_boundary():
    log = LOG + [rec("e7", 9), rec("e7", 11, step=1)]
    with pytest.raises(ValueError, match=r"episode 'e7' runs from 9 to 11, across a window "
                                         r"boundary \(validation_start 10, test_start 20\)"):
        time_split(log, validation_start=10, test_start=20)


def test_time_split_raises_when_time_goes_backwards_within_an_episode():
    log = [rec("e1", 5), rec("e1", 3, step=1)]
    with pytest.raises(ValueError, match=r"episode 'e1': step 1 at 3 comes before step 0 at 5; "
                                         r"timestamps must not go backwards"):
        time_split(log, validation_start=10, test_start=20)


def test_time_split_argument_errors():
    with pytest.raises(ValueError, match="test_start 5 is before validation_start 10"):
        time_split(LOG, validation_start=10, test_start=5)
    with pytest.raises(ValueError, match="record 1 has no 'timestamp' field"):
        time_split([rec("e1", 1), {"episode_id": "e2"}], validation_start=10, test_start=20)
    with pytest.raises(ValueError, match="record 0 has no 'episode_id' field"):
        time_split([{"timestamp": 1}], validation_start=10, test_start=20)


def test_check_split_accepts_a_clean_split():
    check_split(LOG[:3], LOG[3:5], LOG[6:7], user_key="user_id")
    check_split(LOG[:3], LOG[3:5], LOG[6:])          # u3 twice is fine without user_key


def test_check_split_names_an_episode_on_two_sides():
    with pytest.raises(ValueError, match="episode_id 'e1' appears in both train and test"):
        check_split(LOG[:1], LOG[3:5], LOG[1:2])


def test_check_split_names_a_user_on_two_sides():
    with pytest.raises(ValueError, match="user_id 'u1' appears in both train and validation"):
        check_split(LOG[:3], LOG[3:6], LOG[6:7], user_key="user_id")
    check_split(LOG[:3], LOG[3:6], LOG[6:7])       # users are only checked when asked


def test_check_split_names_records_out_of_time_order():
    with pytest.raises(ValueError, match=r"validation episode 'e4' at 15 is not earlier than "
                                         r"test episode 'e3' at 12; splits must be ordered"):
        check_split(LOG[:3], LOG[5:6], LOG[3:5])


def test_check_split_missing_field():
    with pytest.raises(ValueError, match="record 0 of test has no 'user_id' field"):
        check_split(LOG[:1], LOG[3:4], [{"episode_id": "x", "timestamp": 30}],
                    user_key="user_id")


def test_random_split_of_a_real_log_is_caught():
    log = access_request_log(60, behavior=np.ones((2, 3)) / 3, seed=0)
    order = np.random.default_rng(0).permutation(len(log))
    shuffled = [log[i] for i in order]
    with pytest.raises(ValueError, match=r"train episode 'r\d{4}' at 2024-\d\d-\d\d \d\d:\d\d "
                                         r"is not earlier than validation episode"):
        check_split(shuffled[:36], shuffled[36:48], shuffled[48:])
    split = time_split(log, validation_start="2024-02-15", test_start="2024-03-10")
    assert isinstance(split, Split)
    assert sum(split.sizes().values()) == 60
    assert max(r["timestamp"] for r in split.train) < min(r["timestamp"] for r in split.test)


# ---------------------------------------------------------------- outcomes known late

def out(episode, t, known, user="u1"):
    return {"episode_id": episode, "timestamp": t, "user_id": user, "outcome_at": known}


DELAYED = [
    out("a", 1, 3), out("b", 6, 14),          # b decided at 6, outcome known at 14
    out("c", 10, 11), out("d", 16, 22),       # d decided at 16, outcome known at 22
    out("e", 20, 21), out("f", 25, None),     # f: no outcome recorded yet
]


def test_an_outcome_known_after_the_next_side_starts_is_a_leak():
    split = time_split(DELAYED, validation_start=10, test_start=20)      # no outcome check
    assert ids(split.train) == ["a", "b"]
    with pytest.raises(ValueError, match=r"train episode 'b' decided at 6 has its outcome at "
                                         r"14, after validation starts at 10: a reward from "
                                         r"the validation window leaks into train; leave a "
                                         r"gap \(embargo\) of at least the outcome delay"):
        check_split(split.train, split.validation, split.test, outcome_key="outcome_at")
    with pytest.raises(ValueError, match="train episode 'b' decided at 6 has its outcome at 14"):
        time_split(DELAYED, validation_start=10, test_start=20, outcome_key="outcome_at")
    fine = check_split(DELAYED[:1], DELAYED[2:3], DELAYED[4:], outcome_key="outcome_at")
    assert fine is None


def test_validation_outcomes_must_be_known_before_test_starts():
    with pytest.raises(ValueError, match=r"validation episode 'd' decided at 16 has its outcome "
                                         r"at 22, after test starts at 20"):
        check_split(DELAYED[:1], DELAYED[2:4], DELAYED[4:], outcome_key="outcome_at")


def test_embargo_gap_removes_the_episodes_whose_outcomes_would_leak():
    delay = max(r["outcome_at"] - r["timestamp"] for r in DELAYED if r["outcome_at"])   # 8
    split = time_split(DELAYED, validation_start=10, test_start=20, embargo=delay,
                       outcome_key="outcome_at")
    assert ids(split.train) == ["a"]                  # decided before 10 - 8 = 2
    assert ids(split.validation) == ["c"]             # decided in [10, 12)
    assert ids(split.test) == ["e", "f"]
    assert ids(split.embargoed) == ["b", "d"]
    assert split.sizes() == {"train": 1, "validation": 1, "test": 2}
    # a gap shorter than the delay still leaks
    with pytest.raises(ValueError, match="train episode 'b' decided at 6 has its outcome at 14"):
        time_split(DELAYED, validation_start=10, test_start=20, embargo=3,
                   outcome_key="outcome_at")


def test_check_split_with_embargo_wants_the_gap_between_sides():
    check_split(DELAYED[:1], DELAYED[2:3], DELAYED[4:5], embargo=5)          # 1 -> 10 -> 20
    with pytest.raises(ValueError, match=r"train episode 'a' at 1 is not earlier than "
                                         r"validation episode 'c' at 10 by more than the "
                                         r"embargo 9; splits must be ordered in time"):
        check_split(DELAYED[:1], DELAYED[2:3], DELAYED[4:5], embargo=9)


def test_embargo_with_dates_on_a_generated_log():
    import datetime as dt
    log = access_request_log(600, behavior=np.array([[0.5, 0.3, 0.2], [0.7, 0.2, 0.1]]),
                             seed=7)
    with pytest.raises(ValueError, match=r"train episode 'r\d{4}' decided at 2024-02-2\d "
                                         r"\d\d:\d\d has its outcome at 2024-03-0\d"):
        time_split(log, validation_start="2024-03-01", test_start="2024-03-16",
                   outcome_key="outcome_at")
    week = dt.timedelta(days=7)
    split = time_split(log, validation_start="2024-03-01", test_start="2024-03-16",
                       embargo=week, outcome_key="outcome_at")
    first_validation = min(r["timestamp"] for r in split.validation)
    assert max(r["outcome_at"] for r in split.train) < first_validation
    assert max(r["timestamp"] for r in split.train) < "2024-02-23"
    assert all("2024-02-23" <= r["timestamp"] < "2024-03-01" or
               "2024-03-09" <= r["timestamp"] < "2024-03-16" for r in split.embargoed)
    total = sum(split.sizes().values()) + len({r["episode_id"] for r in split.embargoed})
    assert total == 600


def test_embargo_errors():
    import datetime as dt
    with pytest.raises(ValueError, match="embargo must be >= 0; got -1"):
        time_split(LOG, validation_start=10, test_start=20, embargo=-1)
    with pytest.raises(ValueError, match=r"embargo datetime.timedelta\(days=1\) cannot be "
                                         r"subtracted from validation_start 10"):
        time_split(LOG, validation_start=10, test_start=20, embargo=dt.timedelta(days=1))
    with pytest.raises(ValueError, match=r"validation_start is 'March', not an ISO date"):
        time_split(LOG, validation_start="March", test_start="April")
    with pytest.raises(ValueError, match="record 0 of train has no 'outcome_at' field"):
        check_split(LOG[:1], [], [], outcome_key="outcome_at")
