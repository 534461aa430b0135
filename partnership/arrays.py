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
    if (
        isinstance(x, np.ndarray)
        and x.ndim
        and x.dtype == np.float64
        and x.flags.writeable
        and x.flags.owndata
        and np.broadcast_shapes(x.shape, np.shape(y)) == x.shape
        and np.result_type(x, y) == np.float64
    ):
        return ufunc(x, y, out=x)
    return ufunc(x, y)
