"""The registry of book figures.

A figure recipe is a function that takes no arguments, computes its data
with ``rlbook`` and returns a matplotlib ``Figure`` drawn with
``rlbook.plotting``. Register it with ``@figure("chNN-name")`` (``"book-name"`` for a
figure about the whole book, figures/book.py); a page shows it
with ``![alt text](../figures/chNN-name.svg "Caption.")``. The build hook
(hooks/figures.py) renders every recipe at build time.
"""

from __future__ import annotations

import re

REGISTRY: dict = {}

_NAME = re.compile(r"^(?:ch\d\d|book)-[a-z0-9-]+$")   # book-*: figures about the whole book


def figure(name: str):
    """Register the decorated function as the recipe of figure ``name``."""
    if not _NAME.match(name):
        raise ValueError(f"figure name must look like 'ch04-value-sweeps' or 'book-map'; "
                         f"got {name!r}")

    def register(fn):
        if name in REGISTRY and REGISTRY[name] is not fn:
            raise ValueError(f"figure {name!r} is registered twice "
                             f"({REGISTRY[name].__module__} and {fn.__module__})")
        REGISTRY[name] = fn
        return fn

    return register
