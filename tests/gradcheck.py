"""Central finite differences, the independent answer every analytic gradient is checked against."""

import numpy as np


def numerical_grad(f, theta, h=1e-6):
    """Central finite differences of the scalar ``f(theta)``, same shape as ``theta``."""
    theta = np.asarray(theta, dtype=float)
    grad = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f(up) - f(down)) / (2 * h)
    return grad
