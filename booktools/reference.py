"""The API reference: which names are public, where each is documented, which chapter teaches it.

The reference (docs/reference/) is rendered at build time by mkdocstrings from the package's
numpydoc docstrings; each page holds one ``::: rlbook.<module>`` directive per module of its
group, whose ``members:`` option lists the module's public names. This module is the one place
that knows

* the **public API** (:func:`public_api`): every name in ``rlbook.__all__``, plus the public
  names of every submodule the chapters and labs import from (``from rlbook.dp import ...``,
  ``rlbook.envs.tabular.TabularEnv`` in prose): the module's ``__all__`` if it has one, else
  its top-level functions, classes and constants not starting with ``_``. Each name is keyed by
  the module that defines it (``rlbook.dp.value_iteration``), read from the source (``ast``),
  so nothing is imported;
* the **groups** (:data:`GROUPS`): one reference page per group of modules, in the book's order;
* what the pages **document** (:func:`documented`), read back from their ``:::`` directives;
* which chapter **teaches** each name (:func:`teaching`): the section of the map of methods
  (booktools/methods.py) if the name is there, else the first chapter whose code or prose
  uses it; later chapters and labs that use it are listed as well;
* the **links**: inline code in a chapter that names a public object (``rlbook.value_iteration``,
  `` `value_iteration` ``, `` `TabularMDP.from_transitions` ``) becomes an autorefs link to its
  entry (:func:`link_code_names`), and each entry gets a "Taught in" line
  (:func:`annotate_entries`).

``python -m booktools.reference --write`` rewrites the pages' directives from the public API
(prose above the first directive is kept); tests/test_reference.py fails when a page and the
public API disagree, so a new public name is never silently missing from the reference.
"""

from __future__ import annotations

import ast
import html
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from booktools.errors import BuildError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "rlbook"
REFERENCE_DIR = "reference"     # under docs/


@dataclass(frozen=True)
class Group:
    """One reference page: a group of modules, documented in this order."""

    slug: str        # docs/reference/<slug>.md
    title: str
    intro: str
    modules: tuple[str, ...]

    @property
    def page(self) -> str:
        return f"{REFERENCE_DIR}/{self.slug}.md"


GROUPS: tuple[Group, ...] = (
    Group("environments", "Environments, rollouts and returns",
          "Environments with Gymnasium's `reset` / `step` API and discrete states, their "
          "spaces, and the functions that play episodes and add up rewards (chapters 1, 2 "
          "and 5). CartPole and MountainCar are with [function approximation]"
          "(function-approximation.md).",
          ("rlbook.envs.spaces", "rlbook.envs.base", "rlbook.envs.gridworld",
           "rlbook.envs.cliff", "rlbook.envs.tabular", "rlbook.envs.bandit",
           "rlbook.envs.gymnasium_env", "rlbook.envs.registration", "rlbook.rollout",
           "rlbook.returns")),
    Group("planning", "MDPs and planning",
          "Tabular MDPs, Bellman backups and dynamic programming (chapters 2 to 4).",
          ("rlbook.mdp", "rlbook.bellman", "rlbook.dp")),
    Group("worlds", "Example worlds",
          "The MDPs the book plans in: the access review, the support router, the grid "
          "worlds and the mazes (chapters 1 to 5 and 11). The worlds of later chapters are "
          "listed with them.",
          ("rlbook.problems.access_review", "rlbook.problems.support_router",
           "rlbook.problems.gridworlds", "rlbook.problems.maze", "rlbook.problems.random_walk",
           "rlbook.problems.ab_example", "rlbook.problems.maximization_bias")),
    Group("learning", "Learning from experience",
          "Temporal-difference and Monte Carlo learners, n-step TD and batch updating, and "
          "what every learner shares: policies as actors, seeds, step sizes and results "
          "(chapter 5).",
          ("rlbook.td", "rlbook.monte_carlo", "rlbook.n_step", "rlbook.batch", "rlbook.agent")),
    Group("exploration", "Exploration and bandits",
          "Epsilon-greedy and Boltzmann action selection and their schedules (chapter 5); "
          "bandit algorithms, from epsilon-greedy to UCB, gradient bandits and Thompson "
          "sampling, and their testbeds (chapter 6).",
          ("rlbook.exploration", "rlbook.bandits", "rlbook.problems.bandits")),
    Group("function-approximation", "Function approximation",
          "CartPole and MountainCar, whose states are real vectors; tile coding, "
          "semi-gradient TD and Sarsa, and Baird's counterexample (chapter 7).",
          ("rlbook.envs.cartpole", "rlbook.envs.mountain_car", "rlbook.tile_coding",
           "rlbook.semi_gradient", "rlbook.problems.baird")),
    Group("dqn", "Neural networks and DQN",
          "The NumPy network, its losses and optimisers, and deep Q-learning (chapter 7).",
          ("rlbook.nn", "rlbook.dqn")),
    Group("policy-gradients", "Policies and policy gradients",
          "Parameterised policies, REINFORCE and the policy-gradient estimators, on discrete "
          "and continuous actions (chapter 8).",
          ("rlbook.policies", "rlbook.reinforce", "rlbook.problems.short_corridor",
           "rlbook.problems.continuous_bandit")),
    Group("natural-gradient", "Natural gradients and TRPO",
          "The softmax Fisher matrix, the natural gradient, conjugate gradient and TRPO's "
          "trust-region step with its line search (chapter 8).",
          ("rlbook.natural_gradient",)),
    Group("actor-critic", "Actor-critic, GAE and PPO",
          "Advantages (TD errors, n-step returns, GAE), PPO's clipped objective and the "
          "actor-critic learners (chapter 9).",
          ("rlbook.advantages", "rlbook.ppo", "rlbook.actor_critic")),
    Group("rlhf", "RLHF",
          "Reward models from preferences, KL-regularised objectives and group-relative "
          "advantages (chapter 10).",
          ("rlbook.rlhf", "rlbook.problems.length_hacking")),
    Group("language-model", "RLHF on a toy language model",
          "A language model small enough to enumerate every response, the prompts and "
          "rewards of chapter 10's examples, SFT and DPO on it (chapter 10).",
          ("rlbook.toy_lm", "rlbook.problems.tiny_language")),
    Group("language-model-rl", "PPO and GRPO on the toy language model",
          "PPO with a per-token KL penalty and GRPO on the toy language model, their exact "
          "fixed points, and a verifiable-reward task (chapter 10).",
          ("rlbook.ppo_rlhf", "rlbook.grpo", "rlbook.problems.tiny_arithmetic")),
    Group("evaluation", "Evaluation",
          "Held-out evaluation, intervals, off-policy estimates from logs, time splits and "
          "leakage checks (chapter 11).",
          ("rlbook.evaluation", "rlbook.off_policy", "rlbook.splits", "rlbook.leakage")),
    Group("plotting", "Plotting",
          "Figure helpers: each takes a matplotlib `Axes` and returns it.",
          ("rlbook.plotting.curves", "rlbook.plotting.grid", "rlbook.plotting.mdp",
           "rlbook.plotting.backup",
           "rlbook.plotting.planning", "rlbook.plotting.learning", "rlbook.plotting.pg",
           "rlbook.plotting.evaluation")),
)

# The options every module directive gets (the test reads them back from the pages).
# toc_label: the module's full path in the page's contents (its own name alone repeats when two
# modules share one, rlbook.bandits and rlbook.problems.bandits, and axe wants landmarks unique).
OPTIONS = """\
    options:
      toc_label: {module}
      members:
{members}"""


# --- the package, read from its source -------------------------------------------------------

def module_path(module: str, root: Path = ROOT) -> Path | None:
    """The source file of ``module`` (a package's ``__init__.py``), or None."""
    base = root.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=None)
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def unpacked_names(module: str, root: Path = ROOT) -> list[str]:
    """Names ``module`` assigns by tuple unpacking (``UP, RIGHT = 0, 1``).

    mkdocstrings (griffe) gives such names no entry of their own, so the reference documents
    them with their module: its docstring must name each one (:func:`page_differences`).
    """
    path = module_path(module, root)
    if path is None:
        return []
    return [target.id for node in _parse(path).body if isinstance(node, ast.Assign)
            for tuple_ in node.targets if isinstance(tuple_, ast.Tuple)
            for target in tuple_.elts if isinstance(target, ast.Name)]


def _module_names(module: str, root: Path):
    """(``__all__`` or None, names defined at top level, {imported name: source module})."""
    path = module_path(module, root)
    if path is None:
        raise BuildError(f"{module}: no such module under {root}")
    exported, defined, imported = None, [], {}
    for node in _parse(path).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                for target in names:
                    if not isinstance(target, ast.Name):
                        continue
                    if target.id == "__all__":
                        exported = [ast.literal_eval(e) for e in node.value.elts]
                    else:
                        defined.append(target.id)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                imported[alias.asname or alias.name] = node.module
    return exported, defined, imported


def public_names(module: str, root: Path = ROOT) -> list[str]:
    """``module.__all__`` if it has one, else its top-level names not starting with ``_``."""
    exported, defined, _ = _module_names(module, root)
    if exported is not None:
        return list(exported)
    return [name for name in dict.fromkeys(defined) if not name.startswith("_")]


def canonical(module: str, name: str, root: Path = ROOT) -> str:
    """``module.name`` followed through re-exports to the module that defines it."""
    seen = set()
    while (module, name) not in seen:
        seen.add((module, name))
        _, defined, imported = _module_names(module, root)
        if name in defined:
            return f"{module}.{name}"
        if name in imported and imported[name].startswith(PACKAGE):
            module = imported[name]
            continue
        if module_path(f"{module}.{name}", root) is not None:
            return f"{module}.{name}"          # a submodule
        break
    raise BuildError(f"{module}.{name}: not defined in the package (a stale __all__ entry?)")


_IMPORT_FROM = re.compile(r"\bfrom\s+(rlbook(?:\.\w+)+)\s+import\b")
_DOTTED = re.compile(r"\b(rlbook(?:\.\w+)+)")


def imported_modules(docs_dir: Path, root: Path = ROOT) -> list[str]:
    """The submodules of rlbook that the chapters and labs import from or name in prose."""
    found = {}
    for path in _teaching_files(docs_dir):
        text = path.read_text(encoding="utf-8")
        for match in list(_IMPORT_FROM.finditer(text)) + list(_DOTTED.finditer(text)):
            parts = match.group(1).split(".")
            # The longest prefix that is a module: rlbook.envs.tabular.TabularEnv -> ...tabular.
            for end in range(len(parts), 1, -1):
                if module_path(".".join(parts[:end]), root) is not None:
                    found[".".join(parts[:end])] = True
                    break
    return sorted(found)


def public_api(docs_dir: Path | None = None, root: Path = ROOT) -> dict[str, str]:
    """Every public name, by the path of its definition: {"rlbook.dp.value_iteration": why}.

    ``why`` says where the name was found public: ``"rlbook.__all__"`` or the submodule the
    chapters import from.
    """
    docs_dir = docs_dir or root / "docs"
    api = {}
    for name in public_names(PACKAGE, root):
        api.setdefault(canonical(PACKAGE, name, root), f"{PACKAGE}.__all__")
    for module in imported_modules(docs_dir, root):
        for name in public_names(module, root):
            path = canonical(module, name, root)
            if module_path(path, root) is None:        # a submodule is not an entry
                api.setdefault(path, module)
    return dict(sorted(api.items()))


def group_of(module: str) -> Group | None:
    for group in GROUPS:
        if module in group.modules:
            return group
    return None


def expected_pages(api: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """{page: {module: [names in source order]}} that the public API asks for."""
    by_module: dict[str, list[str]] = {}
    for path in api:
        module, name = path.rsplit(".", 1)
        by_module.setdefault(module, []).append(name)
    pages: dict[str, dict[str, list[str]]] = {g.page: {} for g in GROUPS}
    orphans = []
    for module, names in by_module.items():
        unpacked = set(unpacked_names(module))
        names = [n for n in names if n not in unpacked]
        group = group_of(module)
        if group is None:
            orphans.append(module)
            continue
        order = _source_order(module)
        pages[group.page][module] = sorted(names, key=lambda n: order.get(n, len(order)))
    if orphans:
        raise BuildError(f"public names in {', '.join(sorted(orphans))}, which no reference "
                         "group lists: add each module to a Group in booktools/reference.py")
    for group in GROUPS:   # the group's module order
        pages[group.page] = {m: pages[group.page][m] for m in group.modules
                             if m in pages[group.page]}
    return pages


def _source_order(module: str) -> dict[str, int]:
    _, defined, _ = _module_names(module, ROOT)
    return {name: i for i, name in enumerate(dict.fromkeys(defined))}


# --- the pages -------------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^::: (\S+)[ \t]*\n((?:[ \t]+\S.*\n?)*)", re.MULTILINE)


def documented(markdown: str) -> dict[str, list[str]]:
    """{module: [members]} of a reference page's ``:::`` directives (their ``members:`` lists).

    A directive without a ``members:`` list would document every public member, which the
    reference never wants: it is an error here, so the comparison stays exact.
    """
    out = {}
    for match in _DIRECTIVE.finditer(markdown):
        module, block = match.group(1), match.group(2)
        members = re.search(r"^\s+members:[ \t]*\n((?:\s+- .*\n?)*)", block, re.MULTILINE)
        if members is None:
            raise BuildError(f"::: {module}: no `members:` list; list the public names")
        if module in out:
            raise BuildError(f"::: {module} appears twice")
        out[module] = re.findall(r"- (\S+)", members.group(1))
    return out


def page_differences(api: dict[str, str], docs_dir: Path | None = None) -> list[str]:
    """What the reference pages document that the public API does not ask for, and the reverse.

    Each difference is one line: ``reference/planning.md: rlbook.dp.value_iteration is missing``
    or ``... documents rlbook.dp.helper, which is not public``; the module order of a page and
    the page of each module are checked too. An empty list means the pages are exact.
    """
    docs_dir = docs_dir or ROOT / "docs"
    wanted = expected_pages(api)
    problems = []
    for group in GROUPS:
        path = docs_dir / group.page
        if not path.exists():
            problems.append(f"{group.page} does not exist")
            continue
        have = documented(path.read_text(encoding="utf-8"))
        want = wanted[group.page]
        for module in have.keys() | want.keys():
            shown, asked = set(have.get(module, [])), set(want.get(module, []))
            for name in sorted(asked - shown):
                problems.append(f"{group.page}: {module}.{name} is missing")
            for name in sorted(shown - asked):
                problems.append(f"{group.page}: documents {module}.{name}, which is not public")
        for module in want:
            docstring = ast.get_docstring(_parse(module_path(module))) or ""
            for name in unpacked_names(module):
                if f"{module}.{name}" in api and not re.search(rf"\b{name}\b", docstring):
                    problems.append(f"{module}.{name} is assigned by tuple unpacking, which "
                                    "gives it no entry: name it in the module's docstring")
        if not problems and list(have) != list(want):
            problems.append(f"{group.page}: modules in the order {list(have)}, "
                            f"expected {list(want)}")
    return problems


def page_markdown(group: Group, modules: dict[str, list[str]], prose: str | None = None) -> str:
    """A reference page: title, the prose kept from the current page, one directive per module."""
    head = prose if prose is not None else f"# {group.title}\n\n{group.intro}\n"
    parts = [head.rstrip("\n") + "\n"]
    for module, names in modules.items():
        members = "\n".join(f"        - {name}" for name in names)
        parts.append(f"::: {module}\n{OPTIONS.format(module=module, members=members)}\n")
    return "\n".join(parts)


def write_pages(docs_dir: Path | None = None) -> list[Path]:
    """Rewrite every reference page's directives from the public API; keep its prose."""
    docs_dir = docs_dir or ROOT / "docs"
    pages = expected_pages(public_api(docs_dir))
    written = []
    for group in GROUPS:
        path = docs_dir / group.page
        prose = None
        if path.exists():
            text = path.read_text(encoding="utf-8")
            first = _DIRECTIVE.search(text)
            prose = text[:first.start()] if first else text
        new = page_markdown(group, pages[group.page], prose)
        if not path.exists() or path.read_text(encoding="utf-8") != new:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new, encoding="utf-8")
            written.append(path)
    return written


# --- which chapter teaches what ---------------------------------------------------------------

def _teaching_files(docs_dir: Path) -> list[Path]:
    return sorted((docs_dir / "chapters").glob("*.md")) + sorted((docs_dir / "labs").glob("lab*.py"))


@dataclass(frozen=True)
class Use:
    page: str        # docs-relative: "chapters/04-dynamic-programming.md"
    label: str       # "Chapter 4" / "Lab 4"
    anchor: str = ""
    module: str = ""   # set when the page teaches the name's module, not the name itself


def _label(page: str) -> str:
    name = posixpath.basename(page)
    number = int(re.match(r"(?:lab)?(\d+)", name).group(1))
    return f"Lab {number}" if page.startswith("labs/") else f"Chapter {number}"


def teaching(api: dict[str, str], docs_dir: Path | None = None) -> dict[str, list[Use]]:
    """{entry: [the chapter that teaches it, then later pages that use it]}.

    A name is *used* by a page that imports it (from its module or a package that re-exports
    it), calls ``rlbook.name`` or names it in inline code. The teaching chapter is the map of
    methods' section when the name is an algorithm there, else the first chapter that uses it.
    """
    from booktools import methods

    docs_dir = docs_dir or ROOT / "docs"
    short = {}
    for path in api:
        short.setdefault(path.rsplit(".", 1)[1], []).append(path)
    uses: dict[str, list[Use]] = {path: [] for path in api}
    for file in _teaching_files(docs_dir):
        page = file.relative_to(docs_dir).as_posix()
        text = file.read_text(encoding="utf-8")
        words = set(re.findall(r"\b[A-Za-z_]\w*\b", text))
        for path in api:
            module, name = path.rsplit(".", 1)
            if name not in words:
                continue
            if _uses(text, module, name, len(short[name]) == 1):
                uses[path].append(Use(page, _label(page)))
    for method in methods.METHODS:
        path = _resolve_function(method.function, api)
        if path is None:
            continue
        taught = Use(method.chapter, _label(method.chapter), method.section)
        uses[path] = [taught] + [u for u in uses[path] if u.page != method.chapter]
    # A name no page uses (a result type, a helper) is taught with its module: the first
    # chapter that teaches one of the module's other names.
    for path in api:
        module = path.rsplit(".", 1)[0]
        if not uses[path]:
            chapters = [u.page for p, us in uses.items() if p.rsplit(".", 1)[0] == module
                        for u in us[:1] if u.page.startswith("chapters/") and not u.module]
            if chapters:
                page = min(chapters)
                uses[path] = [Use(page, _label(page), module=module)]
    # Plotting helpers: the chapters whose figures (figures/chNN.py) they draw.
    for recipe in sorted((docs_dir.parent / "figures").glob("ch[0-9]*.py")):
        number = int(re.match(r"ch(\d+)", recipe.name).group(1))
        pages = sorted((docs_dir / "chapters").glob(f"{number:02d}-*.md"))
        if not pages:
            continue
        page = pages[0].relative_to(docs_dir).as_posix()
        text = recipe.read_text(encoding="utf-8")
        for path in api:
            module, name = path.rsplit(".", 1)
            if not uses[path] and module.startswith(f"{PACKAGE}.plotting") \
                    and re.search(rf"\b{re.escape(name)}\b", text):
                uses[path] = [Use(page, _label(page), module="figures")]
    return uses


def _uses(text: str, module: str, name: str, unique: bool) -> bool:
    n = re.escape(name)
    if re.search(rf"\brlbook(?:\.\w+)*\.{n}\b", text):
        return True
    for match in re.finditer(r"from\s+(rlbook(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n]*)", text):
        if re.search(rf"\b{n}\b", match.group(2)) and (
                unique or module.startswith(match.group(1))):
            return True
    return unique and re.search(rf"`{n}(?:\(|`|\.)", text) is not None


def _resolve_function(function: str, api: dict[str, str]) -> str | None:
    """A map-of-methods function ("value_iteration", "rlhf.kl_optimal_policy") as an entry."""
    wanted = function.rsplit(".", 1)[-1]
    candidates = [p for p in api if p.rsplit(".", 1)[1] == wanted
                  and (("." not in function) or p.startswith(f"{PACKAGE}.{function.rsplit('.', 1)[0]}"))]
    return candidates[0] if len(candidates) == 1 else None


def entry_note(uses: list[Use], from_page: str) -> str:
    """The "Taught in" line of one entry (HTML), links relative to ``from_page``."""
    if not uses:
        return ""

    def link(use: Use) -> str:
        href = posixpath.relpath(use.page, posixpath.dirname(from_page))
        href = re.sub(r"\.(md|py)$", "/", href)
        href = "../" + href   # pages are served as directories (use_directory_urls)
        if use.anchor:
            href += f"#{use.anchor}"
        return f'<a href="{html.escape(href)}">{use.label}</a>'

    first, rest = uses[0], uses[1:]
    if first.module == "figures":
        out = f"Draws figures of {link(first)}"
    elif first.module:
        out = f"Its module, <code>{first.module}</code>, is taught in {link(first)}"
    elif first.page.startswith("chapters/"):
        out = f"Taught in {link(first)}"
    else:
        out = f"Used in {link(first)}"
    if rest:
        out += "; also used in " + ", ".join(link(u) for u in rest)
    return f'<p class="rlbook-taught">{out}.</p>'


_HEADING = re.compile(
    r'(<h(\d) id="(rlbook(?:\.\w+)+)" class="doc doc-heading">.*?</h\2>'
    r'(?:(?!<h\d).)*?<div class="doc doc-contents[^"]*">)', re.DOTALL)


def annotate_entries(content: str, uses: dict[str, list[Use]], page: str) -> str:
    """Put each top-level entry's "Taught in" line at the top of its contents."""
    def add(match):
        note = entry_note(uses.get(match.group(3), []), page)
        return match.group(1) + note
    return _HEADING.sub(add, content)


_ROLE = re.compile(r":(?:class|func|meth|data|mod|attr|obj|exc):<code>(~?)([\w.]+)</code>")


def entry_pages(api: dict[str, str]) -> dict[str, str]:
    """{module: its reference page}, from the groups."""
    return {module: group.page for group in GROUPS for module in group.modules}


# reStructuredText's math directive in a docstring, as mkdocstrings renders it: the one-line
# form becomes a paragraph, the indented form a paragraph and a code block. Both become display
# math that KaTeX renders like the chapters' (katex-init.js renders every .arithmatex).
_RST_MATH = re.compile(
    r'<p>\.\. math::</p>\s*<div class="highlight"><pre><span></span><code>(?P<block>.*?)</code>'
    r'</pre></div>|<p>\.\. math::[ \t]+(?P<line>.*?)</p>', re.S)


def rst_math(content: str) -> str:
    """Docstrings' ``.. math::`` directives in rendered HTML, as display math."""
    def display(match):
        tex = (match.group("block") or match.group("line")).strip()
        if ("&amp;" in tex or "\\\\" in tex) and "\\begin{" not in tex:
            # Sphinx aligns a multi-line formula itself (split); KaTeX needs the environment
            tex = f"\\begin{{aligned}}{tex}\\end{{aligned}}"
        return f'<div class="arithmatex">\\[{tex}\\]</div>'
    return _RST_MATH.sub(display, content)


def resolve_roles(content: str, targets: dict[str, str], page: str) -> str:
    """Docstrings' Sphinx roles (``:func:`x```, ``:class:`~rlbook.mdp.TabularMDP```), which
    Markdown leaves as text, become code linked to the entry they name (or plain code)."""
    pages = entry_pages({})

    def page_of(identifier: str) -> str | None:
        parts = identifier.split(".")
        for end in range(len(parts), 1, -1):
            if ".".join(parts[:end]) in pages:
                return pages[".".join(parts[:end])]
        return None

    def link(match):
        tilde, name = match.group(1), match.group(2)
        text = name.rsplit(".", 1)[-1] if tilde else name
        identifier = targets.get(name)
        where = page_of(identifier) if identifier else None
        if where is None:
            return f"<code>{html.escape(text)}</code>"
        href = f"#{identifier}" if where == page else \
            posixpath.relpath(where[:-3], posixpath.dirname(page[:-3])) + f"/#{identifier}"
        if where != page:
            href = "../" + href
        return f'<a href="{html.escape(href)}"><code>{html.escape(text)}</code></a>'

    return _ROLE.sub(link, content)


# --- inline code in chapters -> reference entries ---------------------------------------------

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
_SKIP = re.compile(r"<!--.*?-->|\[[^\]\n]*`[^`\n]+`[^\]\n]*\]\s*[\[(]", re.DOTALL)
_CODE = re.compile(r"(?<!`)`([A-Za-z_][\w.]*)([(\[][^`]*)?`(?!`)")


def link_targets(api: dict[str, str], members: dict[str, list[str]] | None = None) -> dict[str, str]:
    """The code names a chapter may write, each mapped to its entry's identifier.

    ``rlbook.value_iteration`` (a name of ``rlbook.__all__``), ``rlbook.dp.value_iteration``
    (its module), ``value_iteration`` (a name only one module defines) and
    ``TabularMDP.from_transitions`` (a documented member of a class, ``members``).
    """
    targets = {}
    short: dict[str, list[str]] = {}
    for path, why in api.items():
        module, name = path.rsplit(".", 1)
        if name in unpacked_names(module):     # documented by its module's docstring
            path = module
        targets[f"{module}.{name}"] = path
        if why == f"{PACKAGE}.__all__":
            targets[f"{PACKAGE}.{name}"] = path
        short.setdefault(name, []).append(path)
    for path in api:
        module, name = path.rsplit(".", 1)
        if name in unpacked_names(module):
            path = module
        # Re-exported by a package: rlbook.problems.access_review_mdp, rlbook.envs.CartPole.
        package = module.rsplit(".", 1)[0]
        if package != PACKAGE and name in public_names(package):
            targets.setdefault(f"{package}.{name}", path)
    documented_modules = {path.rsplit(".", 1)[0] for path in api}
    for group in GROUPS:
        for module in group.modules:
            if module in documented_modules:     # a module without public names has no entry
                targets.setdefault(module, module)   # `rlbook.rollout` is the function
    for name, paths in short.items():
        # A bare name links when one module defines it and it cannot be a plain word:
        # `value_iteration`, `TabularMDP`, but not `rollout` or `greedy` (link those as
        # `rlbook.rollout`, or write a call, `rollout(...)`: see link_code_names).
        if len(paths) == 1:
            targets.setdefault(name, paths[0])
    for path, names in (members or {}).items():
        cls = path.rsplit(".", 1)[1]
        for member in names:
            targets.setdefault(f"{cls}.{member}", f"{path}.{member}")
            targets.setdefault(f"{path}.{member}", f"{path}.{member}")
    return targets


def link_code_names(markdown: str, targets: dict[str, str]) -> str:
    """Turn inline code that names a public object into an autorefs link to its entry.

    `` `value_iteration` `` and `` `rlbook.value_iteration(mdp)` `` become
    ``[`...`][rlbook.dp.value_iteration]``. Fenced code, headings, HTML comments and code that
    is already inside a link are left alone.
    """
    out, last = [], 0
    spans = [m.span() for m in _FENCE.finditer(markdown)]
    spans += [m.span() for m in _SKIP.finditer(markdown)]
    spans += [m.span() for m in re.finditer(r"^ {0,3}#.*$", markdown, re.MULTILINE)]
    spans.sort()

    def skipped(pos):
        return any(a <= pos < b for a, b in spans)

    for match in _CODE.finditer(markdown):
        name, call = match.group(1), match.group(2)
        target = targets.get(name)
        plain_word = re.fullmatch(r"[a-z]+", name) is not None
        if target is None or (plain_word and not (call or "").startswith("(")) \
                or skipped(match.start()):
            continue
        out.append(markdown[last:match.start()])
        out.append(f"[{match.group(0)}][{target}]")
        last = match.end()
    out.append(markdown[last:])
    return "".join(out)


def class_members(api: dict[str, str], root: Path = ROOT) -> dict[str, list[str]]:
    """{class entry: its public methods and properties with a docstring} (read from source)."""
    out = {}
    for path in api:
        module, name = path.rsplit(".", 1)
        for node in _parse(module_path(module, root)).body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                out[path] = [item.name for item in node.body
                             if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                             and not item.name.startswith("_") and ast.get_docstring(item)]
    return out


def main(argv: list[str] | None = None) -> int:
    import sys

    argv = sys.argv[1:] if argv is None else argv
    if argv != ["--write"]:
        print("usage: python -m booktools.reference --write   "
              "(rewrite docs/reference/*.md's directives from the public API)")
        return 2
    for path in write_pages():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
