"""Fit the name-typing weights: `fit(x, y, w, l2)` is a weighted, L2-regularised logistic regression with
soft targets (first column of `x` the unshrunk bias). Pure NumPy; benchmarks/fit_name_types.py calls it.
"""

from __future__ import annotations

import numpy as np

L2 = 1.0  # ridge penalty on every weight but the bias; the rows are few hundred names per half


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> np.ndarray:
    """Weighted, L2-regularised logistic regression with soft targets, by Newton's method (IRLS)."""
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (w * (p - y)) + penalty * beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta
