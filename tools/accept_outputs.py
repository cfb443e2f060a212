"""Moved to booktools.accept: ``python3 dev.py accept PAGE`` or ``python -m booktools.accept PAGE``."""

import sys

from booktools.accept import accept, main  # noqa: F401

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
