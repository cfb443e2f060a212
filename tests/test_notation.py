"""The notation page (docs/notation.md) and the book-wide notation decisions.

The page must list every symbol the chapters and labs use in their math, with
its code name; code names it cites must exist; and a symbol keeps one meaning
(epsilon is the exploration rate, never a tolerance).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rlbook

ROOT = Path(__file__).resolve().parents[1]
NOTATION = ROOT / "docs" / "notation.md"
PAGES = sorted((ROOT / "docs" / "chapters").glob("*.md")) + sorted(
    (ROOT / "docs" / "labs").glob("lab*.py"))

MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$|\$(.+?)\$", re.S)
WORDS = re.compile(r"\\(?:text|texttt|operatorname|mathrm|mathbf|mathbb|mathcal)\s*\{[^{}]*\}")
GREEK_AND_CO = re.compile(r"\\(alpha|beta|gamma|delta|Delta|epsilon|varepsilon|theta|lambda|mu|"
                          r"pi|rho|sigma|tau|phi|ell|nabla)(?![A-Za-z])")
LETTER = re.compile(r"(?<![\\A-Za-z])([A-Za-z])(?![A-Za-z])")
# Not symbols: function names and operators spelled in letters, and the letters of
# numbers such as 1e-9 or of worked-example labels (cells A, B of chapter 3).
NOT_SYMBOLS = set("e")


def math_of(text):
    return [" ".join(next(g for g in m.groups() if g).split()) for m in MATH.finditer(text)]


def symbols_in(segment):
    """Greek letters and single Latin letters used as symbols in one math segment."""
    found = {f"\\{name}" for name in GREEK_AND_CO.findall(segment)}
    plain = WORDS.sub(" ", segment)
    plain = re.sub(r"\\[A-Za-z]+", " ", plain)            # commands: \max, \sum, \log ...
    found |= {c for c in LETTER.findall(plain) if c not in NOT_SYMBOLS}
    for word in re.findall(r"\\(?:mathcal|mathrm)\s*\{([^{}]*)\}", segment):
        found.add(word)                                    # \mathcal{S}, \mathrm{tol}, \mathrm{KL}
    return found


def notation_symbols():
    found = set()
    for segment in math_of(NOTATION.read_text()):
        found |= symbols_in(segment)
    return found


def notation_rows():
    return [line for line in NOTATION.read_text().splitlines() if line.startswith("| \\(")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_symbol_of_the_page_is_on_the_notation_page(page):
    listed = notation_symbols()
    used = set()
    for segment in math_of(page.read_text()):
        used |= symbols_in(segment)
    missing = sorted(used - listed)
    assert missing == [], f"{page.name} uses symbols the notation page does not list: {missing}"


def test_sutton_and_barto_reward_index_is_explained():
    text = NOTATION.read_text()
    assert "R_{t+1}" in text and "r_t" in text and "Sutton and Barto" in text
    row = next(r for r in notation_rows() if r.startswith("| \\(R_{t+1}\\)"))
    assert "r_t" in row


@pytest.mark.parametrize("symbol, code", [
    (r"\(\varepsilon\)", "`epsilon`"),
    (r"\(\mathrm{tol}\)", "`tol`"),
    (r"\(\epsilon_{\text{clip}}\)", "`clip_eps`"),
    (r"\(K\)", "group_relative_advantages"),
    (r"\(G_t\)", "returns_to_go"),
    (r"\(\Delta\)", "greedy_loss_bound"),
    (r"\(\gamma\)", "`gamma`"),
    (r"\(\mathrm{SD}\)", "ddof=1"),
    (r"\(W^{(i)}\)", "est.weights"),
])
def test_decided_symbols_have_their_code_names(symbol, code):
    rows = [r for r in notation_rows() if r.startswith(f"| {symbol}")]
    assert rows, f"no row for {symbol}"
    assert any(code in r for r in rows), f"{symbol}'s row does not name {code}"


def test_cited_package_functions_exist():
    """Every `name(...)` the page cites is a function or class of rlbook."""
    import importlib
    import pkgutil

    modules = [importlib.import_module(m.name)
               for m in pkgutil.walk_packages(rlbook.__path__, "rlbook.")
               if ".plotting" not in m.name]
    names = {n for mod in [rlbook, *modules] for n in dir(mod)}
    cited = set(re.findall(r"`([a-z_][a-z0-9_]*)\(", NOTATION.read_text()))
    cited -= {"np", "step", "reset"}                     # numpy; Gymnasium's env methods
    missing = sorted(n for n in cited if n not in names)
    assert missing == [], f"the notation page cites functions rlbook does not have: {missing}"


def test_symbols_that_had_two_meanings_have_one():
    """A referee found these symbols with two meanings; each kept one (notation page, "Read this
    first"): tau the temperature, h a logit, q the GRPO prompt, r a reward, s a state, w a
    linear model's weights."""
    for sym in ["\\tau", "h", "q", "s", "w"]:
        qualified = [r for r in notation_rows() if r.startswith(f"| \\({sym}\\) (")]
        assert not qualified, f"{sym} still has a meaning per chapter: {qualified}"
    chapter = {p.name[:2]: p for p in PAGES if p.suffix == ".md"}
    pg = math_of(chapter["08"].read_text())
    assert not [m for m in pg if "\\tau" in m], "chapter 8: tau is the temperature, not an episode"
    assert not [m for m in pg if re.search(r"\bh e_i|/ 2h\b", m)], "chapter 8: h is a logit"
    assert not [m for m in pg if "q_x" in m], "chapter 8: q is the prompt, quality is u"
    assert not [m for m in pg if re.search(r"\br = \\pi", m)], "chapter 8: r is a reward"
    ev = [m for p in PAGES if p.suffix == ".md" and p.name[:2] == "11"    # 11a and 11b
          for m in math_of(p.read_text())]
    assert not [m for m in ev if re.search(r"\bw_i\b|\bw\b", m)], "chapter 11: weights are W"
    assert not [m for m in ev if re.search(r"^s$|\bs /|\{s\}", m)], "chapter 11: s is a state"


@pytest.mark.parametrize("page", [p for p in PAGES if p.name[:2] in {"01", "02", "03", "04"}],
                         ids=lambda p: p.name)
def test_epsilon_is_never_a_tolerance_in_the_planning_chapters(page):
    """Chapters 1-4 have no exploration rate, so epsilon may appear only where a
    reference's own notation is quoted (the References section)."""
    main_text = page.read_text().split("## References")[0]
    for segment in math_of(main_text):
        assert not re.search(r"\\(var)?epsilon", segment), f"{page.name}: \\({segment}\\)"
