import numpy as np
import pytest

from rlbook.returns import discounted_return, returns_to_go


def test_access_review_routes_by_hand():
    assert discounted_return([-120], 0.9) == -120.0
    assert discounted_return([-4, 70], 0.9) == pytest.approx(-4 + 0.9 * 70)
    assert discounted_return([-18, 80], 0.9) == pytest.approx(54.0)


def test_gamma_zero_keeps_only_first_reward_and_one_sums():
    assert discounted_return([3, 100, 100], 0.0) == 3.0
    assert discounted_return([3, 100, 100], 1.0) == 203.0
    assert discounted_return([], 0.9) == 0.0


def test_returns_to_go_matches_the_forward_definition():
    rewards = np.array([1.0, -2.0, 0.5, 4.0])
    G = returns_to_go(rewards, 0.8)
    expected = [sum(0.8 ** k * r for k, r in enumerate(rewards[t:])) for t in range(4)]
    np.testing.assert_allclose(G, expected)
    assert G[0] == pytest.approx(discounted_return(rewards, 0.8))


@pytest.mark.parametrize("gamma", [-0.1, 1.5, float("nan"), "high"])
def test_bad_gamma_is_named(gamma):
    with pytest.raises(ValueError, match="gamma must be"):
        discounted_return([1.0], gamma)
    with pytest.raises(ValueError, match="gamma must be"):
        returns_to_go([1.0], gamma)
