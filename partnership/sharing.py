"""Surplus sharing: the host's share rate by local use, and the share of surplus or deficit."""

from __future__ import annotations

import numpy as np

from .arrays import into

__all__ = ["host_share_rate", "surplus_share_to_host"]


def host_share_rate(local_use, band_starts, band_shares, interpolation="step"):
    """The host's share of the surplus above target at local use ``u`` (fraction, 0-1).

    ``step``: the ``host_share`` of the last band whose ``from_local_use`` <= u.
    ``linear``: straight lines between the band points, flat after the last one.

    Written as a sum of jumps (step) or clipped ramps (linear) so that the band values
    themselves may be numpy arrays that broadcast with ``local_use``.

    >>> float(host_share_rate(0.75, (0.0, 0.5, 0.8), (0.0, 0.25, 0.5)))
    0.25
    >>> float(host_share_rate(0.65, (0.0, 0.5, 0.8), (0.0, 0.25, 0.5), "linear"))
    0.375
    """
    u = np.asarray(local_use, dtype=float)
    rate = np.zeros_like(u) + band_shares[0]
    for i in range(1, len(band_starts)):
        jump = np.subtract(band_shares[i], band_shares[i - 1])
        if interpolation == "linear":
            width = np.subtract(band_starts[i], band_starts[i - 1])
            rate = rate + jump * np.clip((u - band_starts[i - 1]) / width, 0.0, 1.0)
        else:
            rate = rate + jump * (u >= band_starts[i])
    return rate


def surplus_share_to_host(surplus_before_sharing, sharing_threshold, rate, loss_share, loss_cap):
    """The host's share of the surplus (positive) or of a deficit (negative), currency per year.

    ``rate x max(surplus - threshold, 0) - min(loss_share x max(-surplus, 0), loss_cap)``;
    ``loss_cap`` is ``inf`` when there is no cap.

    >>> float(surplus_share_to_host(164660.0, 85304.0, 0.25, 0.0, float("inf")))
    19839.0
    >>> float(surplus_share_to_host(-100000.0, 50000.0, 0.5, 0.5, 20000.0))
    -20000.0
    """
    gain = into(np.multiply, into(np.maximum, np.subtract(surplus_before_sharing, sharing_threshold), 0.0), rate)
    pain = into(np.maximum, np.negative(surplus_before_sharing), 0.0)
    pain = into(np.minimum, into(np.multiply, pain, loss_share), loss_cap)
    return into(np.subtract, gain, pain)
