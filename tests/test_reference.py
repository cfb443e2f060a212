"""The API reference (docs/reference/, booktools/reference.py, hooks/reference.py).

The reference documents exactly the public API: every name of ``rlbook.__all__`` and every
public name of the submodules the chapters and labs import from, each once, under the module
that defines it. A name added to the package without an entry (or an entry left behind by a
removed name) fails here; ``python -m booktools.reference --write`` rewrites the directives.
"""

from __future__ import annotations

import importlib
import inspect
import re
import zlib
from pathlib import Path

import pytest

import rlbook
from booktools import reference
from booktools.errors import BuildError

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def api():
    return reference.public_api(DOCS)


# --- the pages against the public API -------------------------------------------------------

def test_reference_pages_document_exactly_the_public_api(api):
    problems = reference.page_differences(api, DOCS)
    assert not problems, ("the reference and the public API disagree "
                          "(python -m booktools.reference --write):\n" + "\n".join(problems))


def test_every_name_of_rlbook_all_has_an_entry_where_python_defines_it(api):
    # Read at run time, not from the source as booktools does: an independent check.
    documented = {f"{m}.{n}" for page in reference.expected_pages(api).values()
                  for m, names in page.items() for n in names}
    unpacked = {p for p in api if p.rsplit(".", 1)[1] in reference.unpacked_names(p.rsplit(".", 1)[0])}
    assert set(api) - unpacked == documented
    for name in rlbook.__all__:
        obj = getattr(rlbook, name)
        entries = [path for path in api if path.rsplit(".", 1)[1] == name]
        assert entries, f"rlbook.{name} has no entry"
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert f"{obj.__module__}.{obj.__qualname__}" in entries, name


def test_the_submodules_the_chapters_import_from_are_documented_whole(api):
    modules = reference.imported_modules(DOCS)
    assert {"rlbook.dp", "rlbook.envs.tabular", "rlbook.problems", "rlbook.plotting"} <= set(modules)
    for module_name in modules:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [
            n for n, v in vars(module).items() if not n.startswith("_")
            and (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__ == module_name]
        for name in names:
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            where = getattr(obj, "__module__", None) if (inspect.isfunction(obj) or inspect.isclass(obj)) else None
            path = f"{where}.{name}" if where else reference.canonical(module_name, name)
            assert path in api, f"{module_name}.{name} ({path}) is public but has no entry"


def test_a_missing_or_extra_entry_is_reported(api, tmp_path):
    """Guards on the guard: the comparison fails on a page that drops or adds a name."""
    shutil = pytest.importorskip("shutil")
    docs = tmp_path / "docs"
    shutil.copytree(DOCS / "reference", docs / "reference")
    page = docs / "reference" / "planning.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("        - value_iteration\n", "        - value_iteration_v2\n"),
                    encoding="utf-8")
    problems = reference.page_differences(api, docs)
    assert "reference/planning.md: rlbook.dp.value_iteration is missing" in problems
    assert ("reference/planning.md: documents rlbook.dp.value_iteration_v2, which is not public"
            in problems)
    directive = ("::: rlbook.mdp\n    options:\n      toc_label: rlbook.mdp\n      members:\n"
                 "        - TabularMDP\n")
    assert directive in text
    page.write_text(text.replace(directive, "::: rlbook.mdp\n"), encoding="utf-8")
    with pytest.raises(BuildError, match="rlbook.mdp: no `members:` list"):
        reference.page_differences(api, docs)
    # A public name in a module that no group lists.
    with pytest.raises(BuildError, match="rlbook.nowhere, which no reference group lists"):
        reference.expected_pages({**api, "rlbook.nowhere.thing": "rlbook.__all__"})


def test_public_names_follow_reexports_to_their_definition():
    assert reference.canonical("rlbook", "value_iteration") == "rlbook.dp.value_iteration"
    assert (reference.canonical("rlbook.problems", "ACTIONS")
            == "rlbook.problems.access_review.ACTIONS")
    assert reference.canonical("rlbook.problems.baird", "DASHED") == "rlbook.problems.baird.DASHED"
    with pytest.raises(BuildError, match="rlbook.dp.nothing: not defined"):
        reference.canonical("rlbook.dp", "nothing")


def test_names_assigned_by_unpacking_are_documented_by_their_module(api, tmp_path):
    assert reference.unpacked_names("rlbook.envs.gridworld") == ["UP", "RIGHT", "DOWN", "LEFT"]
    pages = reference.expected_pages(api)
    assert "UP" not in pages["reference/environments.md"]["rlbook.envs.gridworld"]
    targets = reference.link_targets(api)
    assert targets["rlbook.envs.gridworld.UP"] == "rlbook.envs.gridworld"
    # A module of a group that has no public names (so no entry) is no link target.
    assert "rlbook.envs.gymnasium_env" in reference.GROUPS[0].modules
    assert "rlbook.envs.gymnasium_env" not in targets
    # A module whose docstring does not name such a constant fails the comparison.
    package = tmp_path / "rlbook"
    package.mkdir()
    (package / "m.py").write_text('"""A module."""\n\nA, B = 0, 1\n', encoding="utf-8")
    assert reference.unpacked_names("rlbook.m", tmp_path) == ["A", "B"]


def test_documented_reads_members_in_page_order():
    page = ("# T\n\n::: rlbook.dp\n    options:\n      members:\n        - b\n        - a\n\n"
            "::: rlbook.td\n    options:\n      members:\n        - q_learning\n")
    assert reference.documented(page) == {"rlbook.dp": ["b", "a"], "rlbook.td": ["q_learning"]}
    with pytest.raises(BuildError, match="appears twice"):
        reference.documented(page + "\n::: rlbook.dp\n    options:\n      members:\n        - x\n")


def test_mkdocstrings_is_offline_strict_and_numpy_style():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    block = config[config.index("  - mkdocstrings:"):config.index("\nhooks:")]
    assert "inventories" not in block and "import:" not in block, "no outside inventories"
    assert "docstring_style: numpy" in block
    assert "heading_level: 2" in block        # h1 the page title, h2 modules, h3 names
    assert "strict: true" in config
    for group in reference.GROUPS:
        assert group.page in config, f"{group.page} is not in the nav"


# --- links both ways ------------------------------------------------------------------------

def test_inline_code_names_become_autorefs_links(api):
    targets = reference.link_targets(api, reference.class_members(api))
    md = ("Call `value_iteration` or `rlbook.value_iteration(mdp)`; "
          "`TabularMDP.from_transitions` builds one; `rlbook.envs.tabular.TabularEnv` samples.\n"
          "`rollout` is a word, `rollout(env)` a call, `rlbook.rollout` the function.\n"
          "`V`, `gamma` and `value_iteration_v2` are no entries.\n\n"
          "## `value_iteration` in a heading\n\n"
          "```python\nx = `value_iteration`\n```\n\n"
          "[`value_iteration`](../x.md) <!-- `value_iteration` -->\n")
    out = reference.link_code_names(md, targets)
    assert "[`value_iteration`][rlbook.dp.value_iteration] or" in out
    assert "[`rlbook.value_iteration(mdp)`][rlbook.dp.value_iteration]" in out
    assert "[`TabularMDP.from_transitions`][rlbook.mdp.TabularMDP.from_transitions]" in out
    assert "[`rlbook.envs.tabular.TabularEnv`][rlbook.envs.tabular.TabularEnv]" in out
    assert "`rollout` is a word, [`rollout(env)`][rlbook.rollout.rollout]" in out
    assert "[`rlbook.rollout`][rlbook.rollout.rollout] the function" in out
    assert "`V`, `gamma` and `value_iteration_v2` are no entries" in out
    assert "## `value_iteration` in a heading" in out
    assert "x = `value_iteration`" in out
    assert "[`value_iteration`](../x.md) <!-- `value_iteration` -->" in out


def test_each_entry_says_which_chapter_teaches_it(api):
    uses = reference.teaching(api, DOCS)
    vi = uses["rlbook.dp.value_iteration"]
    assert vi[0] == reference.Use("chapters/04-dynamic-programming.md", "Chapter 4",
                                  "value-iteration-on-the-access-review")   # the map of methods
    assert "labs/lab04_planning.py" in [u.page for u in vi]
    assert uses["rlbook.returns.discounted_return"][0].page == "chapters/01-rl-loop.md"
    assert uses["rlbook.dp.PlanningResult"][0].module == "rlbook.dp"
    note = reference.entry_note(vi, "reference/planning.md")
    assert note.startswith('<p class="rlbook-taught">Taught in <a href='
                           '"../../chapters/04-dynamic-programming/#value-iteration-on-the-access-review">'
                           "Chapter 4</a>; also used in")
    html = ('<h3 id="rlbook.dp.value_iteration" class="doc doc-heading">x</h3>\n'
            '<div class="doc-signature highlight"><pre>value_iteration(mdp)</pre></div>\n'
            '<div class="doc doc-contents "><p>Optimal values.</p>')
    out = reference.annotate_entries(html, uses, "reference/planning.md")
    assert '<div class="doc doc-contents ">' + note + "<p>Optimal values.</p>" in out
    # Most entries are taught somewhere; the few that are not are base classes and helpers.
    untaught = [path for path, u in uses.items() if not u]
    assert len(untaught) <= len(api) // 20, untaught


def test_docstring_roles_become_links_to_entries(api):
    targets = reference.link_targets(api, reference.class_members(api))
    html = ("<p>See :func:<code>q_learning</code>, :class:<code>~rlbook.mdp.TabularMDP</code>, "
            ":mod:<code>rlbook.td</code> and :class:<code>numpy.random.Generator</code>.</p>")
    out = reference.resolve_roles(html, targets, "reference/learning.md")
    assert out == ('<p>See <a href="#rlbook.td.q_learning"><code>q_learning</code></a>, '
                   '<a href="../planning/#rlbook.mdp.TabularMDP"><code>TabularMDP</code></a>, '
                   '<a href="#rlbook.td"><code>rlbook.td</code></a> and '
                   '<code>numpy.random.Generator</code>.</p>')


def test_the_hook_links_chapters_and_annotates_reference_pages(load_hook):
    hook = load_hook("reference")

    class Config:
        docs_dir = str(DOCS)

    hook.on_config(Config)

    def page(uri):
        class P:
            class file:
                src_uri = uri
        return P

    md = "Use `value_iteration`."
    assert hook.on_page_markdown(md, page("chapters/04-dynamic-programming.md"), None, None) \
        == "Use [`value_iteration`][rlbook.dp.value_iteration]."
    assert hook.on_page_markdown(md, page("notation.md"), None, None) != md
    assert hook.on_page_markdown(md, page("glossary.md"), None, None) == md
    html = '<h3 id="rlbook.td.sarsa" class="doc doc-heading">s</h3><div class="doc doc-contents ">'
    assert "Taught in" in hook.on_page_content(html, page("reference/learning.md"), None, None)


# --- the built site ----------------------------------------------------------------------------

def _inventory(path: Path) -> set[str]:
    """The names in a Sphinx inventory (objects.inv), as mkdocstrings writes it."""
    data = path.read_bytes()
    for _ in range(4):                      # four header lines, then zlib
        data = data[data.index(b"\n") + 1:]
    return {line.split()[0] for line in zlib.decompress(data).decode().splitlines() if line}


def test_the_built_reference_has_every_entry_and_links_back(site, api):
    names = _inventory(site / "objects.inv")
    # Names assigned by tuple unpacking have no entry of their own: their module's has them.
    with_module = {p for p in api if p.rsplit(".", 1)[1] in reference.unpacked_names(p.rsplit(".", 1)[0])}
    assert with_module == {f"rlbook.envs.gridworld.{n}" for n in ("UP", "RIGHT", "DOWN", "LEFT")} \
        | {"rlbook.problems.baird.DASHED", "rlbook.problems.baird.SOLID"}
    missing = sorted(set(api) - names - with_module)
    assert not missing, f"public names without a rendered entry: {missing}"
    # The rendered entries: each module's names are h3 headings (h2 the module, h4 members).
    # (objects.inv also lists the names a module imports, as aliases of their entries.)
    rendered = set()
    for group in reference.GROUPS:
        html = (site / group.page[:-3] / "index.html").read_text(encoding="utf-8")
        rendered |= set(re.findall(r'<h3 id="([^"]+)" class="doc doc-heading"', html))
    assert not sorted(rendered - set(api)), "rendered entries that are not public"
    assert rendered == set(api) - with_module
    page = (site / "reference/planning/index.html").read_text(encoding="utf-8")
    assert re.search(r'id="rlbook\.dp\.value_iteration".*?rlbook-taught">Taught in', page, re.S)
    chapter = (site / "chapters/04-dynamic-programming/index.html").read_text(encoding="utf-8")
    assert 'href="../../reference/planning/#rlbook.dp.value_iteration"' in chapter
    notation = (site / "notation/index.html").read_text(encoding="utf-8")
    assert 'href="../reference/planning/#rlbook.bellman.q_from_v"' in notation


def test_every_public_function_has_a_doctest_example(api):
    """Each public function's docstring shows a call (``Examples`` with ``>>>`` lines), which the
    suite runs as a doctest (rlbook/ is in pyproject's testpaths; conftest.py collects it)."""
    missing = []
    for path in api:
        module, name = path.rsplit(".", 1)
        obj = getattr(importlib.import_module(module), name)
        if inspect.isfunction(obj):
            doc = inspect.getdoc(obj) or ""
            if not re.search(r"^Examples\n-{8}\n(?:.*\n)*?>>> ", doc, re.MULTILINE):
                missing.append(path)
    assert not missing, f"public functions without an Examples section: {missing}"


def test_the_doctests_are_collected_by_the_default_test_command():
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'testpaths = \[[^\]]*"rlbook"', config)
    import doctest

    import rlbook.dp
    tests = doctest.DocTestFinder().find(rlbook.dp)
    assert any(t.name == "rlbook.dp.value_iteration" and t.examples for t in tests)


def test_links_written_into_reference_pages_reach_their_targets(site):
    """The "Taught in" lines and the docstrings' roles are written into the HTML after MkDocs
    checked the links, so this test checks them: every relative link of a reference page must
    reach an existing page and, if it names one, an existing id there."""
    broken = []
    ids: dict[Path, set] = {}
    for group in reference.GROUPS:
        page = site / group.page[:-3] / "index.html"
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'<a href="([^"#:]*)(?:#([^"]*))?"', text):
            path, anchor = href
            target = (page.parent / path / "index.html") if path else page
            target = target.resolve()
            if not target.is_file():
                broken.append(f"{group.page}: {path}#{anchor}")
                continue
            if anchor:
                if target not in ids:
                    ids[target] = set(re.findall(r'id="([^"]+)"', target.read_text(encoding="utf-8")))
                if anchor not in ids[target]:
                    broken.append(f"{group.page}: {path}#{anchor}")
    assert not broken, "links to nowhere:\n" + "\n".join(sorted(set(broken)))


def test_rst_math_directives_become_display_math():
    from booktools.reference import rst_math

    block = ('<p>x,</p>\n<p>.. math::</p>\n<div class="highlight"><pre><span></span><code>'
             'a &lt; b,\n\\qquad c\n</code></pre></div>\n<p>then</p>')
    assert rst_math(block) == ('<p>x,</p>\n<div class="arithmatex">\\[a &lt; b,\n\\qquad c\\]'
                               '</div>\n<p>then</p>')
    line = '<p>.. math::  G_t = r_t + \\gamma G_{t+1}</p>'
    assert rst_math(line) == '<div class="arithmatex">\\[G_t = r_t + \\gamma G_{t+1}\\]</div>'
    prose = '<p>Sphinx writes .. math:: before a formula.</p>'
    assert rst_math(prose) == prose      # only a paragraph that starts with the directive


def test_rst_math_with_alignment_gets_katexs_aligned_environment():
    from booktools.reference import rst_math

    aligned = ('<p>.. math::</p>\n<div class="highlight"><pre><span></span><code>'
               'a &amp; = b \\\\\nc &amp; = d\n</code></pre></div>')
    assert rst_math(aligned) == ('<div class="arithmatex">\\[\\begin{aligned}a &amp; = b \\\\\n'
                                 'c &amp; = d\\end{aligned}\\]</div>')
