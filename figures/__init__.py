"""Book figure recipes, one module per chapter (``figures/chNN.py``) and ``figures/book.py``."""

from __future__ import annotations

import importlib
import pkgutil

from figures._registry import REGISTRY, figure

__all__ = ["REGISTRY", "figure", "load_all"]


def load_all() -> dict:
    """Import every ``figures/ch*.py`` module and ``figures/book.py``; return the registry."""
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("ch") or info.name == "book":
            importlib.import_module(f"figures.{info.name}")
    return REGISTRY
