r"""Tile coding: binary features from several offset grids (Sutton and Barto 2018, section 9.5.4).

Each of ``n_tilings`` *tilings* cuts the box ``[low, high]`` into a grid of
``tiles`` intervals per dimension; a point lies in exactly one tile of each
tiling, so it has exactly ``n_tilings`` active features, all equal to 1.
The tilings are offset from each other by a fraction of a tile width, tiling
``i`` by ``i * (1, 3, 5, ...) / n_tilings`` tile widths in dimensions
``1, 2, 3, ...`` (the asymmetric displacements Sutton and Barto recommend:
uniform offsets would line the tilings up along the diagonal), taken modulo
one tile. Each tiling gets one extra tile per dimension so that its shifted
grid still covers the box: ``(tiles + 1) ** d`` tiles per tiling.

Two points share as many features as tilings in which they fall in the same
tile, so the linear value ``w . x(s)`` generalises to nearby states, over a
width of one tile, with a resolution of ``1 / n_tilings`` of a tile.
With one tiling this is state aggregation; with one tiling that has one tile
per state it is the tabular case (one-hot features).

The coder returns the *indices* of the active features (the features are
binary): ``v(s) = w[idx].sum()`` and the gradient of ``v`` with respect to
``w`` is 1 on ``idx`` and 0 elsewhere. Sutton and Barto divide the step size
by the number of tilings (``alpha = 0.5 / 8``) so that one update moves
``v(s)`` by ``alpha * n_tilings`` times the error. Chapter 7 of the book.
"""

from __future__ import annotations

import numpy as np

from rlbook.validate import check_integer

__all__ = ["TileCoder"]


class TileCoder:
    """Active tile indices of a point, ``n_tilings`` offset grids over ``[low, high]``.

    Parameters
    ----------
    low, high : sequence of float, length d
        The box the grids cover (points outside are clipped onto it).
    n_tilings : int > 0, default 8
    tiles : int > 0, default 8
        Intervals per dimension in each tiling (before the extra one).

    Attributes
    ----------
    n_features : int
        ``n_tilings * (tiles + 1) ** d``.

    Raises
    ------
    ValueError
        If ``low`` and ``high`` differ in length, ``low >= high`` anywhere, or a
        count is not a positive integer.

    Examples
    --------
    >>> from rlbook.tile_coding import TileCoder
    >>> coder = TileCoder([0.0, 0.0], [1.0, 1.0], n_tilings=2, tiles=4)
    >>> x = coder.features([0.5, 0.5])
    >>> print(coder([0.5, 0.5]).shape, int(x.sum()), coder.n_features)
    (2,) 2 50
    """

    def __init__(self, low, high, n_tilings=8, tiles=8):
        low, high = np.atleast_1d(np.asarray(low, dtype=float)), np.atleast_1d(
            np.asarray(high, dtype=float))
        if low.shape != high.shape or low.ndim != 1:
            raise ValueError(f"low and high must be vectors of one length; got shapes "
                             f"{low.shape} and {high.shape}")
        for j in range(low.size):
            if not low[j] < high[j]:
                raise ValueError(f"low[{j}] must be below high[{j}]; got {low[j]} and {high[j]}")
        self.low, self.high = low, high
        self.n_tilings = check_integer("n_tilings", n_tilings)
        self.tiles = check_integer("tiles", tiles)
        d = low.size
        # offsets[i, j]: how far tiling i is shifted in dimension j, in tile widths
        self.offsets = (np.arange(self.n_tilings)[:, None] * (2 * np.arange(d) + 1)
                        % self.n_tilings) / self.n_tilings
        self.tiles_per_tiling = (self.tiles + 1) ** d
        self.n_features = self.n_tilings * self.tiles_per_tiling
        # place value of each dimension in a tile's flat index (row-major)
        self._strides = (self.tiles + 1) ** np.arange(d - 1, -1, -1)
        self._base = np.arange(self.n_tilings) * self.tiles_per_tiling

    # --8<-- [start:indices]
    def __call__(self, x):
        """Indices of the ``n_tilings`` active features of point ``x`` (one per tiling)."""
        x = np.clip(np.asarray(x, dtype=float), self.low, self.high)
        u = (x - self.low) / (self.high - self.low) * self.tiles     # position in tile widths
        coords = np.floor(u + self.offsets).astype(int)             # (n_tilings, d), 0..tiles
        return self._base + coords @ self._strides
    # --8<-- [end:indices]

    def features(self, x):
        """The binary feature vector ``x(s)`` of shape (n_features,) (1 on the active tiles)."""
        out = np.zeros(self.n_features)
        out[self(x)] = 1.0
        return out
