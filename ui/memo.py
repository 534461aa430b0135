"""Work done once for each object a page run passes around: a scenario is never changed in place once built (a
change is a new one), and one run asks for its JSON text or its link a dozen times."""

from __future__ import annotations

import functools
import threading


def per_object(fn, size: int = 32):
    """``fn(obj)`` worked out once for each of the last ``size`` objects it was asked about, by identity (each object
    held beside its answer, so its id is not another's while it is here); every session's thread may ask."""
    seen: dict[int, tuple[object, object]] = {}
    lock = threading.Lock()

    @functools.wraps(fn)
    def once(obj):
        hit = seen.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        answer = fn(obj)
        with lock:
            seen[id(obj)] = (obj, answer)
            while len(seen) > size:
                seen.pop(next(iter(seen)))
        return answer

    return once
