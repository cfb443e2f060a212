"""Book figure recipes, one module per chapter (``figures/chNN.py``)."""

from __future__ import annotations

import importlib
import pkgutil

from figures._registry import REGISTRY, figure

__all__ = ["REGISTRY", "figure", "load_all"]


def load_all() -> dict:
    """Import every ``figures/ch*.py`` module and return the registry."""
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("ch"):
            importlib.import_module(f"figures.{info.name}")
    return REGISTRY
