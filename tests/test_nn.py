"""Tests for rlbook.nn: every gradient against finite differences, optimisers by hand."""

import numpy as np
import pytest

from rlbook.nn import MLP, SGD, Adam, clip_grad_norm, huber_loss, mse_loss
from gradcheck import numerical_grad


def _loss_of_param(net, x, weights, k):
    """The scalar sum(weights * net(x)) as a function of params[k] alone."""
    def f(theta):
        saved = net.params[k]
        net.params[k] = theta
        try:
            return float(np.sum(weights * net(x)))
        finally:
            net.params[k] = saved
    return f


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("sizes", [[3, 1], [3, 5, 1], [4, 6, 5, 2]])
def test_backward_matches_finite_differences(activation, sizes):
    net = MLP(sizes, activation=activation, seed=0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, sizes[0]))
    weights = rng.standard_normal((7, sizes[-1]))     # L = sum(weights * y): dL/dy = weights
    _, cache = net.forward(x)
    grads = net.backward(cache, weights)
    assert [g.shape for g in grads] == [p.shape for p in net.params]
    for k, p in enumerate(net.params):
        np.testing.assert_allclose(grads[k], numerical_grad(_loss_of_param(net, x, weights, k), p),
                                   rtol=1e-5, atol=1e-7)


def test_backward_of_one_unbatched_input_matches_finite_differences():
    net = MLP([3, 4, 2], activation="tanh", seed=2)
    x = np.array([0.5, -1.0, 2.0])
    weights = np.array([1.0, -2.0])
    y, cache = net.forward(x)
    assert y.shape == (2,)
    grads = net.backward(cache, weights)
    for k, p in enumerate(net.params):
        np.testing.assert_allclose(grads[k], numerical_grad(_loss_of_param(net, x, weights, k), p),
                                   rtol=1e-5, atol=1e-7)


def test_forward_by_hand():
    net = MLP([2, 2, 1], activation="relu", seed=0)
    net.params[:] = [np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.0, -1.0]),
                     np.array([[3.0], [-2.0]]), np.array([0.5])]
    # x = (1, 1): z1 = (3, -1.5), h1 = (3, 0), y = 9 + 0.5
    assert net(np.array([[1.0, 1.0]])).tolist() == [[9.5]]
    net.activation = "tanh"
    assert net(np.array([1.0, 1.0]))[0] == pytest.approx(3 * np.tanh(3) - 2 * np.tanh(-1.5) + 0.5)


@pytest.mark.parametrize("loss", [mse_loss, huber_loss])
def test_loss_gradients_match_finite_differences(loss):
    target = np.array([0.0, 1.0, -2.0, 3.0])
    pred = np.array([0.3, -1.5, -2.2, 5.0])          # errors inside and beyond Huber's delta = 1
    _, grad = loss(pred, target)
    np.testing.assert_allclose(grad, numerical_grad(lambda p: loss(p, target)[0], pred), atol=1e-8)


def test_huber_by_hand():
    value, grad = huber_loss(np.array([0.5, 3.0, -2.0]), np.zeros(3))
    # 0.125 (quadratic), 3 - 0.5 = 2.5 and 2 - 0.5 = 1.5 (linear); mean over 3
    assert value == pytest.approx((0.125 + 2.5 + 1.5) / 3)
    np.testing.assert_allclose(grad, np.array([0.5, 1.0, -1.0]) / 3)
    assert mse_loss(np.array([1.0, 3.0]), np.array([0.0, 0.0]))[0] == pytest.approx(2.5)


def test_torch_init_bounds_and_orthogonal_columns():
    net = MLP([16, 32, 3], seed=0)
    W, b = net.params[0], net.params[1]
    assert np.abs(W).max() <= 0.25 and np.abs(b).max() <= 0.25 and np.abs(W).max() > 0.24
    ortho = MLP([16, 32, 3], init="orthogonal", gain=np.sqrt(2), out_gain=0.01, seed=0)
    W1, b1, W2, b2 = ortho.params
    np.testing.assert_allclose(W1 @ W1.T, 2.0 * np.eye(16), atol=1e-12)   # wide: orthonormal rows
    np.testing.assert_allclose(W2.T @ W2, 1e-4 * np.eye(3), atol=1e-15)   # tall: orthonormal cols
    assert not b1.any() and not b2.any()


def test_same_seed_same_weights():
    a, b = MLP([4, 8, 2], seed=3), MLP([4, 8, 2], seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    assert not np.array_equal(a.params[0], MLP([4, 8, 2], seed=4).params[0])


def test_copy_is_independent_and_load_copies_or_blends():
    net = MLP([2, 3, 1], seed=0)
    target = net.copy()
    net.params[0] += 1.0
    assert not np.array_equal(net.params[0], target.params[0])
    old = target.params[0].copy()
    target.load(net, tau=0.25)
    np.testing.assert_allclose(target.params[0], 0.75 * old + 0.25 * net.params[0])
    target.load(net)
    assert all(np.array_equal(p, q) for p, q in zip(net.params, target.params))
    net.params[1] += 1.0                                # load copies values, shares no array
    assert not np.array_equal(net.params[1], target.params[1])


def test_sgd_and_adam_steps_by_hand():
    p = [np.array([1.0, -2.0])]
    SGD(p, lr=0.1).step([np.array([2.0, 4.0])])
    np.testing.assert_allclose(p[0], [0.8, -2.4])
    # Adam's first step is lr * g / (|g| + eps): lr * sign(g) up to eps.
    q = [np.array([1.0, -2.0])]
    opt = Adam(q, lr=0.01)
    opt.step([np.array([2.0, -0.5])])
    np.testing.assert_allclose(q[0], [1.0 - 0.01, -2.0 + 0.01], rtol=1e-7)
    # Second step with the same gradient: m_hat = g, v_hat = g^2 again.
    opt.step([np.array([2.0, -0.5])])
    np.testing.assert_allclose(q[0], [1.0 - 0.02, -2.0 + 0.02], rtol=1e-7)


def test_adam_reaches_least_squares_solution():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    net = MLP([3, 1], seed=0)
    opt = Adam(net.params, lr=0.05)
    for _ in range(2000):
        pred, cache = net.forward(X)
        _, dy = mse_loss(pred[:, 0], y)
        opt.step(net.backward(cache, dy[:, None]))
    np.testing.assert_allclose(net.params[0][:, 0], [1.0, -2.0, 0.5], atol=1e-4)
    np.testing.assert_allclose(net.params[1], [0.3], atol=1e-4)


def test_clip_grad_norm_scales_all_together():
    grads = [np.array([3.0]), np.array([[4.0, 0.0]])]
    assert clip_grad_norm(grads, 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(grads[0], [0.6], rtol=1e-5)
    np.testing.assert_allclose(grads[1], [[0.8, 0.0]], rtol=1e-5)
    small = [np.array([0.3, 0.4])]
    assert clip_grad_norm(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small[0], [0.3, 0.4])


@pytest.mark.parametrize("kwargs, match", [
    (dict(sizes=[4]), "sizes must list at least two"),
    (dict(sizes=[4, 0, 2]), r"sizes\[1\] must be a positive integer"),
    (dict(sizes=[4, 2.5]), r"sizes\[1\] must be a positive integer"),
    (dict(sizes=[4, True]), r"sizes\[1\] must be a positive integer; got True"),
    (dict(sizes=[4, 2], activation="sigmoid"), "activation must be one of"),
    (dict(sizes=[4, 2], init="xavier"), "init must be one of"),
    (dict(sizes=[4, 2], gain=0.0), "gain must be a positive number"),
    (dict(sizes=[4, 2], out_gain=-1.0), "out_gain must be a positive number"),
])
def test_mlp_errors_name_the_culprit(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs, seed=0)


def test_optimiser_and_load_errors():
    net = MLP([2, 1], seed=0)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        SGD(net.params, lr=0)
    with pytest.raises(ValueError, match="eps must be a positive number"):
        Adam(net.params, eps=-1.0)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1\)"):
        Adam(net.params, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        clip_grad_norm([np.ones(2)], 0.0)
    with pytest.raises(ValueError, match=r"source must be an MLP with sizes \[2, 1\]"):
        net.load(MLP([2, 3, 1], seed=0))
    with pytest.raises(ValueError, match=r"tau must be in \(0, 1\]"):
        net.load(net.copy(), tau=1.5)
    with pytest.raises(ValueError, match=r"tau must be a number in \(0, 1\]; got True"):
        net.load(net.copy(), tau=True)
