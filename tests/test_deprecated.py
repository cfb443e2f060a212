"""Tests for rlbook.deprecated: every old name still works for one release, and warns."""

import importlib

import numpy as np
import pytest

import rlbook
from rlbook.deprecated import RENAMED


def resolve(path):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("old", sorted(RENAMED))
def test_every_old_name_warns_and_gives_the_new_object(old):
    module, _, name = old.rpartition(".")
    new = RENAMED[old]
    if name == "as_policy_function":                       # a function that warns when called
        assert getattr(importlib.import_module(module), name) is resolve(new)
        return
    with pytest.warns(DeprecationWarning, match=rf"^{old} is deprecated and will be removed in "
                                                rf"rlbook 0.2; use {new}$"):
        assert getattr(importlib.import_module(module), name) is resolve(new)


def test_old_names_are_not_listed_and_unknown_names_still_fail():
    assert not {"td0_evaluation", "mc_evaluation", "PolicyEvaluation"} & set(rlbook.__all__)
    with pytest.raises(AttributeError, match="module 'rlbook.td' has no attribute 'nope'"):
        importlib.import_module("rlbook.td").nope
    with pytest.raises(AttributeError):
        rlbook.no_such_name


def test_from_import_of_an_old_name_warns():
    with pytest.warns(DeprecationWarning, match="use rlbook.td.td0_prediction"):
        from rlbook.td import td0_evaluation   # noqa: F401


def test_old_policy_function_still_acts_and_warns():
    from rlbook.rollout import as_policy_function

    with pytest.warns(DeprecationWarning, match="use rlbook.agent.as_actor"):
        act = as_policy_function(np.array([2, 0]), 3)
    assert act(0, np.random.default_rng(0)) == 2


def test_the_book_uses_no_old_name():
    # Pages and labs run in their own processes, where no filter turns the warning into an
    # error: read them instead. An old name in a page, lab, figure, benchmark or test fails here.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [p for folder in ("docs", "figures", "benchmarks", "booktools", "tests")
             for p in (root / folder).rglob("*") if p.suffix in (".md", ".py")
             and p.name != "test_deprecated.py"]
    patterns = []
    for old in RENAMED:
        module, _, name = old.rpartition(".")
        if name == "visit_step_size":                # still a name, in its new module
            patterns.append(re.compile(r"rlbook\.exploration import [^\n]*\bvisit_step_size\b"
                                       r"|exploration\.visit_step_size\b"))
        else:
            patterns.append(re.compile(rf"\b{name}\b"))
    hits = [f"{p.relative_to(root)}: {m.group(0)}" for p in files
            for pattern in patterns for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert hits == []
