"""Bounded reads for the checks of text data: a few megabytes of a file at a time, whatever its size.

The legacy VTK and PLY checks walk every word of an ASCII file. Reading it
through a memory map would keep every page they touched resident (the file's
size again), and numpy's temporaries over the whole file cost several times
its size: they read it in blocks of :data:`CHUNK_BYTES` instead, each block
checked vectorized.
"""

from __future__ import annotations

from typing import BinaryIO, Optional, Tuple

import numpy as np

#: Bytes read and checked at a time: the checks' memory is a small multiple of this.
CHUNK_BYTES = 1 << 20
#: The first read where only a few words are wanted.
SMALL_READ = 1 << 12

#: What Python's ``\s`` matches in a bytes pattern, and C's ``isspace``: the separators of a word.
WHITESPACE = np.zeros(256, bool)
WHITESPACE[np.frombuffer(b" \t\n\r\f\v", np.uint8)] = True


def read_at(stream: BinaryIO, start: int, length: int) -> bytes:
    """Up to ``length`` bytes of ``stream`` from byte ``start``."""
    stream.seek(start)
    return stream.read(length)


def skip_words(stream: BinaryIO, start: int, size: int, count: int) -> Tuple[Optional[int], int]:
    """Where the ``count``-th word from byte ``start`` ends, and how many words were found.

    A word is a run of bytes that are not :data:`WHITESPACE` (one under way at
    ``start`` counts from there). The end is None when the file, ``size``
    bytes long, holds fewer than ``count`` words from ``start``.
    """
    found, in_word = 0, False
    # A first block about the size a few values take: a small section costs a small read.
    length = min(CHUNK_BYTES, max(SMALL_READ, 32 * count))
    while start < size:
        block = np.frombuffer(read_at(stream, start, min(length, size - start)), np.uint8)
        length = CHUNK_BYTES
        if block.size == 0:
            break
        space = WHITESPACE[block]
        starts = np.flatnonzero(~space & np.concatenate([[not in_word], space[:-1]]))
        if found + starts.size >= count:
            last = int(starts[count - found - 1])
            after = np.flatnonzero(space[last:])
            if after.size:
                return start + last + int(after[0]), count
            return _word_end(stream, start + block.size, size), count
        found += starts.size
        in_word = not bool(space[-1])
        start += block.size
    return None, found


def _word_end(stream: BinaryIO, start: int, size: int) -> int:
    """The first whitespace byte from ``start`` on (the end of the word under way), or ``size``."""
    length = min(CHUNK_BYTES, SMALL_READ)
    while start < size:
        block = np.frombuffer(read_at(stream, start, min(length, size - start)), np.uint8)
        length = CHUNK_BYTES
        if block.size == 0:
            break
        after = np.flatnonzero(WHITESPACE[block])
        if after.size:
            return start + int(after[0])
        start += block.size
    return size
