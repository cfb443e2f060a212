"""The book's build logic, independent of MkDocs: page model, checks, notebooks, figures.

The MkDocs hooks (hooks/) and the tests call these modules; none of them imports MkDocs.

* ``pages``: the page model: fences, markers, runnable chains, snippet expansion with
  pymdownx's own preprocessor and mkdocs.yml's settings, the fence rules.
* ``check``: runs a page's chains as a reader would and compares what they print.
* ``cache``: the verification cache of local runs (never in CI); ``pytest_report``, the
  summary line it adds to every test run.
* ``accept``: rewrites a page's expected outputs from its code (``python3 dev.py accept``).
* ``notebooks``: chapters and labs as notebooks; the labs executed.
* ``figures``: the figure recipes of figures/ drawn in light and dark, and shown on pages.
* ``reader``: reading time and the mastery check, from a chapter's Markdown.
* ``code_tokens``: compact code colours in the built HTML.
* ``errors``: BuildError, which the hooks turn into MkDocs' PluginError.

Other modules here (glossary, methods, printbook, pdf, browser) serve the glossary, the map
of methods, the printable book and the browser tests.
"""
