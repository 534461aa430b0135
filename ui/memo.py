"""Work done once: for each object a page run passes around (a scenario is never changed in place once built, a
change is a new one, and one run asks for its JSON text a dozen times), and for every session of the process (the
model's results and the page's charts, :func:`shared`)."""

from __future__ import annotations

import collections
import functools
import inspect
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


def shared(maxsize: int):
    """``fn(*args)`` worked out once for every session of the process: kept by its arguments (hashable: texts,
    numbers, tuples) for the ``maxsize`` most recently asked, and handed out as itself, never copied, so it must
    never be changed after it is made (the model's arrays are read-only). While one session's thread works a key
    out, others asking for the same key wait for it (a room of laptops asking for one new scenario at once costs one
    evaluation); a failure is not kept, and the next asker tries again. What ``st.cache_resource`` does, without its
    tens of microseconds a call of hashing the arguments again, which a page pays a dozen times a run."""

    def decorate(fn):
        kept: collections.OrderedDict = collections.OrderedDict()
        working: dict = {}
        lock = threading.Lock()
        signature = inspect.signature(fn)
        plain = all(p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD for p in signature.parameters.values())

        @functools.wraps(fn)
        def once(*given, **named):
            if plain and not named:  # every argument given, in order: the arguments are the key
                args = given
            else:  # defaults filled in and names put in place, so each call of the same question has one key
                bound = signature.bind(*given, **named)
                bound.apply_defaults()
                args = bound.args
            return _once(args)

        def _once(args):
            with lock:
                if args in kept:
                    kept.move_to_end(args)
                    return kept[args]
                gate = working.get(args)
                mine = gate is None
                if mine:
                    gate = working[args] = threading.Event()
            if not mine:
                gate.wait()
                with lock:
                    if args in kept:
                        return kept[args]
                return _once(args)  # the thread working it out failed: this one tries
            try:
                value = fn(*args)
            except BaseException:
                with lock:
                    del working[args]
                gate.set()
                raise
            with lock:
                kept[args] = value
                while len(kept) > maxsize:
                    kept.popitem(last=False)
                del working[args]
            gate.set()
            return value

        def clear() -> None:
            with lock:
                kept.clear()

        once.clear = clear
        once.kept = kept
        return once

    return decorate
