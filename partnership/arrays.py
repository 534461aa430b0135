"""Array helpers the model's formulas share: doing the same arithmetic with fewer new arrays."""

from __future__ import annotations

import numpy as np

__all__ = ["into"]


def into(ufunc, x, y):
    """``ufunc(x, y)``, written over ``x`` when that keeps its shape and type (``x`` must be a temporary of the
    caller's own, never an input): the same figures with fewer new arrays, each of which costs the machine more
    to allocate than to fill.

    >>> a = np.array([1.0, 2.0]); b = into(np.add, a, 1.0); b is a, b.tolist()
    (True, [2.0, 3.0])
    >>> into(np.add, np.array([1.0, 2.0]), np.ones((2, 1))).shape  # a larger result: a new array
    (2, 2)
    """
    if type(x) is not np.ndarray or not x.ndim or x.dtype != _F64 or not (x.flags.writeable and x.flags.owndata):
        return ufunc(x, y)
    if isinstance(y, float | int) and not isinstance(y, bool | np.integer) or type(y) is np.float64:
        return ufunc(x, y, out=x)  # a number: the shape and type stay x's
    if type(y) is np.ndarray and y.dtype == _F64 and y.ndim <= x.ndim:
        fits = all(b == 1 or b == a for a, b in zip(x.shape[x.ndim - y.ndim :], y.shape))
        return ufunc(x, y, out=x) if fits else ufunc(x, y)
    other = np.asarray(y)
    if np.broadcast_shapes(x.shape, other.shape) == x.shape and np.result_type(x, other) == np.float64:
        return ufunc(x, y, out=x)
    return ufunc(x, y)


_F64 = np.dtype(np.float64)
