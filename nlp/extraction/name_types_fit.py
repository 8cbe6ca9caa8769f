"""Fitting the name-typing model's weights: weighted, L2-regularised logistic regression in NumPy.

Contract: `fit(x, y, w, l2)` returns the weight vector for rows `x` (first column the bias), soft targets
`y` in [0, 1] and row weights `w`. Pure; used by benchmarks/fit_name_types.py to write data/name_types.json.
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
