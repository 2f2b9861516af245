"""Statistics of one array over a whole packed cohort, streamed in chunks: never the whole array in memory.

An array found at one place of every case (``PointData/Radius``) is one
concatenated dataset per shard (per dtype), so its statistics over the cohort
are a pass over those datasets, a chunk of ``chunk_bytes`` at a time. The mean
and variance of the chunks are combined with Chan, Golub and LeVeque's
pairwise update, which stays accurate over billions of values; NaN propagates
as in numpy.

Examples
--------
>>> import os, tempfile, numpy as np
>>> from vmtkscripts_numpy.cohort import pack
>>> cases = {f"c{i}": {"PointData": {"Radius": np.arange(i * 10.0, i * 10.0 + 10)}} for i in range(4)}
>>> cohort = pack(cases, os.path.join(tempfile.mkdtemp(), "r.cohort"))
>>> stats = cohort.statistics("PointData/Radius", chunk_bytes=64)
>>> stats.count, stats.mean, float(stats.min), float(stats.max)
(40, 19.5, 0.0, 39.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np


@dataclass(frozen=True)
class ArrayStatistics:
    """Statistics of one array over a cohort.

    Attributes
    ----------
    place : str
        Where the array is in each case, e.g. ``"PointData/Radius"``.
    cases : int
        Cases that hold it.
    count : int
        Values (per component, with ``per_component``) it has over the cohort.
    mean, std : float or ndarray
        Mean and (population) standard deviation, in float64.
    min, max : scalar or ndarray
        In the array's dtype.
    """

    place: str
    cases: int
    count: int
    mean: Any
    std: Any
    min: Any
    max: Any


def _chunks(column: Any, components: int, chunk_bytes: int):
    """The column's values as 2-D ``(values, components)`` blocks of about ``chunk_bytes``."""
    data = column.data
    if column.flat:
        total = len(data)
        step = max(components, (chunk_bytes // max(1, data.dtype.itemsize)) // components * components)
        for start in range(0, total, step):
            yield data[start:start + step].reshape(-1, components)
        return
    row = int(np.prod(data.shape[1:], dtype=np.int64))
    step = max(1, chunk_bytes // max(1, row * data.dtype.itemsize))
    for start in range(0, len(data), step):
        yield data[start:start + step].reshape(-1, components)


def array_statistics(cohort: Any, place: str, per_component: bool = False,
                     chunk_bytes: int = 64 * 2**20) -> ArrayStatistics:
    """Count, mean, standard deviation, min and max of the array at ``place`` over every case of ``cohort``.

    Parameters
    ----------
    cohort : PackedCohort
    place : str
        Where the array is in each case: ``"PointData/Radius"``; ``*`` for the
        items of a list (``"CellData/CellPointIds/*"``).
    per_component : bool
        False: over every value. True: one result per component, the array's
        last axis (``(N, 3)`` normals give three means); 1-D arrays have one.
    chunk_bytes : int
        About how many bytes are in memory at once.

    Raises
    ------
    KeyError
        When no case has an array there.
    ValueError
        For arrays that are not real numbers, or whose last axis differs
        between cases when ``per_component`` is asked.
    """
    columns = list(cohort.columns(place))
    if not columns:
        raise KeyError(f"no case of {cohort.path} has an array at {place!r}; it has {', '.join(cohort.arrays())}")
    components: Optional[int] = None
    for column in columns:
        if column.dtype.kind not in "biuf":
            raise ValueError(f"{place}: statistics need real numbers, not {column.dtype}")
        if not per_component or column.ndim < 2:
            size = 1
        elif column.flat:
            sizes = set(column.group["shapes"][:, -1].tolist())
            if len(sizes) != 1:
                raise ValueError(f"{place}: the last axis differs between cases ({sorted(sizes)}); no components")
            size = sizes.pop()
        else:
            size = column.data.shape[-1]
        if components is not None and size != components:
            raise ValueError(f"{place}: {components} components in some cases, {size} in others")
        components = size
    assert components is not None
    count, mean, m2 = 0, np.zeros(components), np.zeros(components)
    low: Any = None
    high: Any = None
    cases = 0
    for column in columns:
        offsets = column.group["case_offsets"][()]
        cases += int(np.count_nonzero(np.diff(offsets)))
        for block in _chunks(column, components, chunk_bytes):
            n = len(block)
            if not n:
                continue
            block_low, block_high = block.min(axis=0), block.max(axis=0)
            low = block_low if low is None else np.minimum(low, block_low)
            high = block_high if high is None else np.maximum(high, block_high)
            block_mean = block.mean(axis=0, dtype=np.float64)
            block_m2 = np.square(block - block_mean).sum(axis=0, dtype=np.float64)
            delta = block_mean - mean
            total = count + n
            mean = mean + delta * (n / total)
            m2 = m2 + block_m2 + delta**2 * (count * n / total)
            count = total
    if not count:
        nan = np.full(components, np.nan)
        low = high = mean = std = nan
    else:
        std = np.sqrt(m2 / count)
    if not per_component or columns[0].ndim < 2:
        return ArrayStatistics(place=place, cases=cases, count=count, mean=float(mean[0]), std=float(std[0]),
                               min=low[0] if count else np.nan, max=high[0] if count else np.nan)
    return ArrayStatistics(place=place, cases=cases, count=count, mean=mean, std=std, min=low, max=high)
