"""Tests for rlbook.tile_coding: active indices worked by hand."""

import numpy as np
import pytest

from rlbook.tile_coding import TileCoder


def test_one_dimension_by_hand():
    # [0, 1] in 2 tiles of width 0.5, 2 tilings; tiling 1 shifted by half a tile.
    # Each tiling has 3 tiles (one extra), so tiling 1's indices start at 3.
    coder = TileCoder([0.0], [1.0], n_tilings=2, tiles=2)
    assert coder.n_features == 6
    # x = 0.3 is 0.6 tile widths in: tiling 0 tile floor(0.6) = 0; tiling 1 floor(1.1) = 1 -> 3 + 1
    assert coder([0.3]).tolist() == [0, 4]
    assert coder([0.2]).tolist() == [0, 3]      # floor(0.4) = 0, floor(0.9) = 0
    assert coder([1.0]).tolist() == [2, 5]      # floor(2.0) = 2, floor(2.5) = 2
    assert coder([-7.0]).tolist() == [0, 3]     # clipped onto the box


def test_two_dimensions_asymmetric_offsets_by_hand():
    # 4 tilings, 4 tiles a side on [0, 4] x [0, 8]: tile widths 1 and 2.
    # Offsets in tile widths: tiling i shifted by (i * 1 % 4, i * 3 % 4) / 4:
    # (0, 0), (0.25, 0.75), (0.5, 0.5), (0.75, 0.25).
    coder = TileCoder([0, 0], [4, 8], n_tilings=4, tiles=4)
    np.testing.assert_allclose(coder.offsets, [[0, 0], [0.25, 0.75], [0.5, 0.5], [0.75, 0.25]])
    assert coder.tiles_per_tiling == 25 and coder.n_features == 100
    # point (1.6, 3.0) is (1.6, 1.5) tile widths in
    # tiling 0: (1, 1) -> 1*5 + 1 = 6;        tiling 1: (floor 1.85, floor 2.25) = (1, 2) -> 7
    # tiling 2: (floor 2.1, floor 2.0) = (2, 2) -> 12; tiling 3: (floor 2.35, floor 1.75) = (2, 1) -> 11
    assert coder([1.6, 3.0]).tolist() == [6, 25 + 7, 50 + 12, 75 + 11]
    x = coder.features([1.6, 3.0])
    assert x.shape == (100,) and x.sum() == 4 and x[[6, 32, 62, 86]].tolist() == [1, 1, 1, 1]


def test_nearby_points_share_most_tiles_and_far_ones_none():
    coder = TileCoder([-1.2, -0.07], [0.6, 0.07], n_tilings=8, tiles=8)
    a, b = coder([-0.5, 0.0]), coder([-0.49, 0.001])
    far = coder([0.5, 0.06])
    assert 4 <= len(set(a) & set(b)) < 8 and not set(a) & set(far)
    assert all(0 <= i < coder.n_features for i in a)


@pytest.mark.parametrize("kwargs, match", [
    (dict(low=[0, 0], high=[1]), "low and high must be vectors of one length"),
    (dict(low=[0, 1], high=[1, 1]), r"low\[1\] must be below high\[1\]"),
    (dict(low=[0], high=[1], n_tilings=0), "n_tilings must be a positive integer"),
    (dict(low=[0], high=[1], tiles=2.5), "tiles must be a positive integer"),
])
def test_errors_name_the_culprit(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TileCoder(**kwargs)
