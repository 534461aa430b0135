"""How a process's memory allocator serves the model's arrays: set once by the programs that run the model in their
main thread (the command line, the paper pack's command line, the model benchmark)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["keep_freed_memory", "HEAP_ARRAYS", "KEEP_FREED"]

HEAP_ARRAYS = 32 << 20
"""Blocks up to this size (bytes) come from the heap, not straight from the kernel, once :func:`keep_freed_memory`
has run: every array of a 201 x 201 grid (320 kB) or of the summary's 40,000 points among them. 32 MB is the most
glibc allows."""

KEEP_FREED = 128 << 20
"""Memory the heap keeps, freed, for the next arrays before it hands any back to the kernel (bytes)."""


@functools.cache
def keep_freed_memory() -> bool:
    """Tell glibc's allocator to serve the model's arrays from the heap and to keep what they free for the next ones;
    True where it took both settings (glibc), False elsewhere (nothing changed: macOS, musl, Windows). Once a
    process.

    With glibc's defaults a block over 128 kB is asked of the kernel and, once freed, handed back as soon as
    the top of the heap holds a little more than it; in a process's main thread every evaluation of a large grid
    then pays for its pages to be found and zeroed again. Measured here (2026-12-04, medians of 60, the same
    figures to the bit): a 201 x 201 evaluation took 2.46 ms so and 0.53 ms from the kept heap, the summary of
    40,000 points 6.5 ms and 2.4 ms. The cost is memory the process keeps after its largest evaluation, up to
    :data:`KEEP_FREED` (the summary's work is a few MB)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h>
    return bool(mallopt(m_mmap_threshold, HEAP_ARRAYS)) and bool(mallopt(m_trim_threshold, KEEP_FREED))
