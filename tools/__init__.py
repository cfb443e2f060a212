"""Moved: the page checker and the output regenerator now live in booktools/.

These modules only forward to booktools, for commands written before the move
(``python -m tools.accept_outputs PAGE``); use ``python3 dev.py accept PAGE`` or
``python -m booktools.accept PAGE``. Remove this folder once nothing imports it.
"""
