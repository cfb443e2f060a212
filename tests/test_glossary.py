"""The glossary and the rule "no key term before its chapter" (booktools/glossary.py, hooks/glossary.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from booktools import glossary  # noqa: E402
from booktools.glossary import forward_uses, key_terms, term_names  # noqa: E402
from booktools.pages import nav_chapters  # noqa: E402
from booktools.reader import chapter_number  # noqa: E402
from hooks import glossary as hook  # noqa: E402

CH2 = """# 2. Markov decision processes

Some prose.

## Key terms

These are the terms.

Policy
:   Deterministic: one action per state.
    Stochastic: probabilities \\(\\pi(a \\mid s)\\).

Transition array `P[s, a, s2]`
:   \\(P(s' \\mid s, a)\\); see [chapter 1](01-loop.md#returns).

Markov decision process (MDP)
:   The tuple.

## Mastery check

A policy question.
"""


def chapters(ch1_body: str, ch2: str = CH2) -> list[tuple[str, str]]:
    return [("chapters/01-loop.md", f"# 1. The loop\n\n{ch1_body}\n"), ("chapters/02-mdps.md", ch2)]


def uses(ch1_body: str) -> list[tuple[int, str]]:
    return [(use.line, use.text) for use in forward_uses(chapters(ch1_body))]


# --- parsing ------------------------------------------------------------------------------

def test_key_terms_are_read_with_definitions_lines_and_anchors():
    terms = key_terms(CH2, "chapters/02-mdps.md")
    assert [t.term for t in terms] == ["Policy", "Transition array `P[s, a, s2]`",
                                       "Markov decision process (MDP)"]
    assert [t.line for t in terms] == [9, 13, 16]
    assert [t.anchor for t in terms] == ["term-policy", "term-transition-array-p-s-a-s2",
                                         "term-markov-decision-process-mdp"]
    assert terms[0].definitions == (
        "Deterministic: one action per state.\nStochastic: probabilities \\(\\pi(a \\mid s)\\).",)
    assert key_terms("# A page\n\nNo key terms here.\n", "x.md") == []


def test_a_term_line_inside_a_code_block_is_not_a_term():
    page = "## Key terms\n\n```text\nPolicy\n:   not a definition\n```\n\nState\n:   real.\n"
    assert [t.term for t in key_terms(page, "x.md")] == ["State"]


@pytest.mark.parametrize("term, names", [
    ("Policy", ("Policy",)),
    ("Return \\(G_t\\)", ("Return",)),
    ("Transition array `P[s, a, s2]`", ("Transition array",)),
    ("Markov decision process (MDP)", ("Markov decision process", "MDP")),
    ("Behavior (logging) policy, target policy", ("Behavior policy", "target policy")),
    ("Importance sampling (ordinary, weighted, per-decision)", ("Importance sampling",)),
    ("Terminated / truncated", ("Terminated", "truncated")),
    ("\\(\\gamma\\)-contraction", ()),
    ("Stopping bounds, \\(\\Delta\\)-optimal policy", ("Stopping bounds",)),
])
def test_term_names(term, names):
    assert term_names(term) == names


def test_anchor_of_a_term_without_words_is_an_error():
    with pytest.raises(ValueError, match="no letters or digits"):
        glossary.anchor("\\(\\)")


# --- the rule -----------------------------------------------------------------------------

def test_a_key_term_used_before_its_chapter_is_reported_with_line():
    found = forward_uses(chapters("An agent follows a policy.\nA Markov decision\nprocess too."))
    assert [(u.chapter, u.line, u.text, u.term.term) for u in found] == [
        ("chapters/01-loop.md", 3, "policy", "Policy"),
        ("chapters/01-loop.md", 4, "Markov decision process", "Markov decision process (MDP)"),
    ]
    assert "chapters/01-loop.md:3: 'policy' is key term 'Policy', defined later in " \
           "chapters/02-mdps.md" in str(found[0])


def test_a_marked_forward_mention_is_allowed():
    assert uses("A [policy](02-mdps.md) and a [policy](../glossary.md#term-policy).") == []
    assert uses("An [MDP](02-mdps.md#the-definition) is defined later.") == []


def test_a_link_elsewhere_does_not_mark_a_mention():
    assert uses("A [policy](03-other.md) here.") == [(3, "policy")]


def test_case_plurals_and_whole_words():
    assert uses("Policies and POLICY.") == [(3, "Policies"), (3, "POLICY")]
    assert uses("A policymaker, an MDPs list and a policy_id.") == [(3, "MDPs")]


def test_code_math_headings_comments_targets_and_references_are_not_prose():
    body = ("`policy` and \\(policy\\) and $policy$\n\n```python\npolicy = 1\n```\n\n"
            "## The policy\n\n<!-- a policy -->\n[text](policy.md)\n\n"
            "\\[\npolicy\n\\]\n\n## References\n\nPuterman, *Markov Decision Processes*.\n")
    assert uses(body) == []


def test_admonition_titles_captions_and_tables_are_prose():
    body = ('!!! note "A policy"\n    Text.\n\n| a | b |\n| --- | --- |\n| MDP | 1 |\n\n'
            '![A grid.](../figures/ch01-x.svg "One policy.")\n')
    assert [text for _, text in uses(body)] == ["policy", "MDP", "policy"]


def test_uses_in_the_defining_chapter_or_later_are_fine():
    ch3 = ("chapters/03-later.md", "# 3. Later\n\nA policy of an MDP.\n")
    ch2 = CH2.replace("Some prose.", "A policy, before its entry.")
    assert forward_uses([*chapters("Nothing here."), ch3]) == []
    assert forward_uses(chapters("Nothing here.", ch2)) == []


def test_a_term_defined_twice_counts_from_its_first_chapter():
    ch3 = ("chapters/03-later.md", "# 3. Later\n\n## Key terms\n\nPolicy\n:   Again.\n")
    first = [("chapters/00-intro.md", "# 0.\n\nA policy.\n"), *chapters("A policy."), ch3]
    found = forward_uses(first)
    assert {(u.chapter, u.term.chapter) for u in found} == {
        ("chapters/00-intro.md", "chapters/02-mdps.md"),
        ("chapters/01-loop.md", "chapters/02-mdps.md")}


# --- anchors and the glossary page --------------------------------------------------------

def test_each_term_line_gets_its_anchor_and_nothing_else_changes():
    out = glossary.with_term_anchors(CH2)
    changed = [(a, b) for a, b in zip(CH2.splitlines(), out.splitlines()) if a != b]
    assert changed == [
        ("Policy", "Policy { #term-policy }"),
        ("Transition array `P[s, a, s2]`",
         "Transition array `P[s, a, s2]` { #term-transition-array-p-s-a-s2 }"),
        ("Markov decision process (MDP)",
         "Markov decision process (MDP) { #term-markov-decision-process-mdp }"),
    ]


def test_glossary_is_alphabetical_merges_repeats_and_links_each_definition():
    ch3 = ("chapters/03-later.md", "# 3. Later\n\n## Key terms\n\nAction\n:   A choice.\n\n"
                                   "Policy\n:   Again.\n")
    text = glossary.glossary_markdown([*chapters("x"), ch3], "glossary.md")
    assert text.index("## A") < text.index("**Action** { #term-action }") < text.index("## M") \
        < text.index("## P") < text.index("## T")
    assert text.count("**Policy** { #term-policy }") == 1
    assert "*([2. Markov decision processes](chapters/02-mdps.md#term-policy))*" in text
    assert ":   Again. *([3. Later](chapters/03-later.md#term-policy))*" in text
    # a definition's relative link is rewritten for the glossary's place
    assert "[chapter 1](chapters/01-loop.md#returns)" in text


# --- the hook -----------------------------------------------------------------------------

def _page(src_uri):
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri))


def test_the_hook_writes_the_glossary_at_its_marker_and_fails_without_it(monkeypatch):
    monkeypatch.setattr(hook, "_chapters", chapters("x"))
    page = hook.on_page_markdown(f"# Glossary\n\n{glossary.MARKER}\n", _page("glossary.md"), None, None)
    assert "**Policy** { #term-policy }" in page and glossary.MARKER not in page
    with pytest.raises(PluginError, match="marker"):
        hook.on_page_markdown("# Glossary\n", _page("glossary.md"), None, None)
    assert "{ #term-policy }" in hook.on_page_markdown(CH2, _page("chapters/02-mdps.md"), None, None)


def test_the_hook_fails_the_build_on_a_new_forward_use(monkeypatch, tmp_path):
    files = []
    for src, text in chapters("An agent follows a policy."):
        path = tmp_path / src.split("/")[1]
        path.write_text(text, encoding="utf-8")
        files.append(SimpleNamespace(file=SimpleNamespace(src_uri=src, abs_src_path=str(path))))
    nav = SimpleNamespace(pages=files)
    with pytest.raises(PluginError, match=r"chapters/01-loop.md:3: 'policy' is key term"):
        hook.on_nav(nav, None, None)
    monkeypatch.setattr(hook, "KNOWN_FORWARD_USES", {("chapters/01-loop.md", "term-policy")})
    assert hook.on_nav(nav, None, None) is nav


# --- the book as it stands ----------------------------------------------------------------

def book() -> list[tuple[str, str]]:
    """Every chapter in reading order: the nav's, which a split chapter (two 05- pages) needs."""
    return [(path, (ROOT / "docs" / path).read_text(encoding="utf-8"))
            for path in nav_chapters(ROOT / "mkdocs.yml")]


def test_the_book_is_every_chapter_file_in_nav_order_by_number():
    paths = [path for path, _ in book()]
    assert sorted(paths) == sorted(f"chapters/{p.name}"
                                   for p in (ROOT / "docs/chapters").glob("*.md"))
    numbers = [chapter_number(path) for path in paths]
    assert numbers == sorted(numbers)
    assert numbers.count(5) == 2                       # chapter 5 is two pages, 5a and 5b
    assert numbers.count(4) == 2                       # chapter 4 is two pages, 4a and 4b


def test_every_chapter_has_key_terms_with_unique_anchors():
    for path, text in book():
        anchors = [t.anchor for t in key_terms(text, path)]
        assert anchors, f"{path} has no ## Key terms definition list"
        assert len(anchors) == len(set(anchors)), f"{path}: two terms with one anchor"


def test_no_key_term_is_used_before_its_chapter_beyond_the_known_list():
    new = hook.new_forward_uses(book())
    assert not new, "key terms used before their chapter:\n" + "\n".join(map(str, new))


def test_no_forward_use_is_tolerated_any_more():
    """The chapters were fixed; the list of tolerated uses stays empty (CONTRIBUTING.md)."""
    assert hook.KNOWN_FORWARD_USES == frozenset()
    assert forward_uses(book()) == []


def test_the_known_list_only_names_forward_uses_that_are_still_there():
    """Like a strict xfail: when a chapter is fixed, remove its pair from KNOWN_FORWARD_USES."""
    found = {(use.chapter, use.term.anchor) for use in forward_uses(book())}
    fixed = sorted(hook.KNOWN_FORWARD_USES - found)
    assert not fixed, ("fixed: remove these from hooks/glossary.py's KNOWN_FORWARD_USES:\n"
                       + "\n".join(map(str, fixed)))


def test_links_in_definitions_are_rewritten_for_the_glossary_page():
    ch = ("chapters/02-mdps.md", "# 2. MDPs\n\n## Key terms\n\nPolicy\n:   See [this](#the-definition), "
                                 "[that](../notation.md) and [web](https://example.org).\n")
    text = glossary.glossary_markdown([ch], "glossary.md")
    assert ("See [this](chapters/02-mdps.md#the-definition), [that](notation.md) and "
            "[web](https://example.org).") in text
