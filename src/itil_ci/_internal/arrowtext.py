"""Arrow text columns to numpy strings, without a Python object per value (private)."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "codes_and_words",
    "dictionary_codes",
    "pooled",
    "spread",
    "unicode",
    "unicode_checked",
]

#: Arrays smaller than this come from numpy whatever is loaded.
_POOLED_FROM = 1 << 20


def pooled(shape: int | tuple[int, ...], dtype: Any) -> npt.NDArray[Any]:
    """An uninitialised array, from Arrow's memory pool when pyarrow is already loaded.

    Arrow's pool keeps the memory it frees and hands it out again; numpy's
    large arrays come from ``mmap`` and go back to the operating system when
    freed, so every new one is fresh pages that the kernel zeroes on first
    touch.  The columns the importers build from an Arrow read (hundreds of
    megabytes of text per million tickets) are written into pool memory, so
    reading one export after another reuses pages as Arrow's own reads do.
    The array keeps its Arrow buffer alive; pyarrow is never imported here.

    Examples:
        >>> a = pooled((2, 3), np.uint32)
        >>> a.shape, a.dtype, a.flags.writeable
        ((2, 3), dtype('uint32'), True)
    """
    dt = np.dtype(dtype)
    dims = (shape,) if isinstance(shape, int) else shape
    count = int(np.prod(dims, dtype=np.int64))
    pa = sys.modules.get("pyarrow")
    if pa is None or count * dt.itemsize < _POOLED_FROM:
        return np.empty(dims, dtype=dt)
    buf = pa.allocate_buffer(count * dt.itemsize)
    return np.frombuffer(buf, dtype=dt, count=count).reshape(dims)


def spread(words: npt.NDArray[Any], codes: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``words[codes]``, written into :func:`pooled` memory (codes must be valid: no check).

    Examples:
        >>> spread(np.array(["a", "bc"]), np.array([1, 0, 1])).tolist()
        ['bc', 'a', 'bc']
    """
    out = pooled(codes.size, words.dtype)
    if out.size:  # np.take, faster than fancy indexing for text
        np.take(words, codes, out=out, mode="clip")
    return out


def _is_view(pa: Any, typ: Any) -> bool:
    check = getattr(pa.types, "is_string_view", None)
    return bool(check is not None and check(typ))


def unicode(pa: Any, chunked: Any) -> npt.NDArray[np.str_]:
    """An Arrow string column (array or chunked) as a numpy ``str_`` array.

    ASCII text is copied from Arrow's offsets and bytes into a fixed-width
    matrix without Python objects; other text goes through Python strings.
    Nulls must have been filled.
    """
    return unicode_checked(pa, chunked)[0]


def unicode_checked(pa: Any, chunked: Any) -> tuple[npt.NDArray[np.str_], bool]:
    """:func:`unicode`, and whether no value starts or ends with a blank (None: unknown)."""
    parts = []
    clean = True
    if _is_view(pa, chunked.type):
        chunked = chunked.cast(pa.large_string())
    if hasattr(chunked, "chunks"):
        if chunked.num_chunks > 1 and chunked.nbytes < 1 << 30:
            chunked = chunked.combine_chunks()  # one pass over the values, not one per chunk
        chunks = chunked.chunks if hasattr(chunked, "chunks") else [chunked]
    else:
        chunks = [chunked]
    for chunk in chunks:
        n = len(chunk)
        if n == 0:
            continue
        off_type: Any = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        bufs = chunk.buffers()
        size = np.dtype(off_type).itemsize
        offsets = np.frombuffer(bufs[1], dtype=off_type, count=n + 1, offset=chunk.offset * size)
        data = (
            np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
        )
        lo, hi = int(offsets[0]), int(offsets[-1])
        body = data[lo:hi]
        lens = np.diff(offsets)
        width = int(lens.max())
        if width == 0:
            parts.append(np.full(n, "", dtype="<U1"))
            continue
        if body.size and int(body.max()) >= 0x80:  # not ASCII: through Python strings
            parts.append(np.asarray(chunk.to_numpy(zero_copy_only=False), dtype=str))
            clean = False  # not checked: the caller strips
            continue
        # ASCII bytes widened to UCS-4 code points are the ``<U`` layout itself: a
        # widening copy is an order of magnitude faster than numpy's S -> U cast.
        points = pooled((n, width), np.uint32)
        if int(lens.min()) == width:  # every value as long (ids often are): a plain grid
            grid = body.reshape(n, width)
            if (grid[:, 0] <= 32).any() or (grid[:, -1] <= 32).any():
                clean = False
            points[...] = grid
        else:
            lens = lens.astype(np.int64)
            starts = offsets[:-1].astype(np.int64) - lo
            full = lens > 0
            ends = (starts + lens - 1)[full]
            if (body[starts[full]] <= 32).any() or (body[ends] <= 32).any():
                clean = False
            points.fill(0)
            shift = np.arange(n, dtype=np.int64) * width - starts
            points.reshape(-1)[np.arange(hi - lo) + np.repeat(shift, lens)] = body
        parts.append(points.view(f"<U{width}").reshape(n))
    if not parts:
        return np.empty(0, dtype="<U1"), True
    return (np.concatenate(parts) if len(parts) > 1 else parts[0]), clean


def codes_and_words(pa: Any, arr: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.str_]]:
    """A string column dictionary-encoded: one code per row and the distinct words."""
    import pyarrow.compute as pc

    if _is_view(pa, arr.type):
        arr = arr.cast(pa.large_string())
    return dictionary_codes(pa, pc.dictionary_encode(arr))


def dictionary_codes(pa: Any, encoded: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.str_]]:
    """A dictionary-typed column (array or chunked) as one code per row and its words.

    The chunks are concatenated by Arrow, which unifies their dictionaries,
    so one code means one word throughout (one call, not one per chunk: a
    CSV read gives a chunk per megabyte).  Only the words are converted to
    numpy strings.
    """
    if hasattr(encoded, "combine_chunks"):
        encoded = encoded.combine_chunks()
    if not len(encoded):
        return np.zeros(0, dtype=np.int64), np.empty(0, dtype="<U1")
    words = unicode(pa, encoded.dictionary)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    idx = pooled(indices.size, np.int64)
    idx[...] = indices
    return idx, words
