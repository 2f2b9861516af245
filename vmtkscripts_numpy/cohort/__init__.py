"""Cohorts: one pipe over many cases on Dask, and the results as one packed, lazy dataset.

- :func:`run_cohort` (the command ``vmtknumpybatch``) runs a ``vmtknumpy`` pipe,
  or a Python function, once per input file on a Dask cluster (a local one by
  default): each case atomic and named from its input, a rerun skipping what
  is up to date, failures quarantined with their traceback, an index table of
  every case;
- :func:`pack` turns a folder of per-case ArrayDicts into a few HDF5 shards,
  each array of every case concatenated once with offsets;
- :func:`open_cohort` reads them back: a sequence whose ``[i]`` is one case's
  ArrayDict, exactly as it was, read lazily; it serves as a map-style dataset
  for PyTorch's ``DataLoader``, as a Dask bag, and gives per-array statistics
  over the whole cohort in chunks.

Dask is needed to run a cohort only: ``pip install "vmtkscripts_numpy[cohort]"``.
The layout of the shards and the runner's files are described in
``docs/cohort.md``.

Examples
--------
>>> from vmtkscripts_numpy.cohort import run_cohort, pack, open_cohort
>>> report = run_cohort("data/*.vtp",  # doctest: +SKIP
...                     "vmtksurfacereader -ifile {input} --pipe vmtksurfacetonumpy -ofile {output}", "arrays")
>>> cohort = pack("arrays", "arrays.cohort")  # doctest: +SKIP
>>> len(cohort), cohort[0]["Points"].shape  # doctest: +SKIP
(20, (960, 3))
"""

from .._lazy import lazy_names as _lazy_names

#: Public names, by the module that defines them (imported on first use: numpy and h5py only when needed).
_LAZY = {
    "runner": ["run_cohort", "CohortReport"],
    "cases": ["Case", "find_cases", "read_manifest", "write_manifest"],
    "records": ["read_index", "INDEX_COLUMNS"],
    "pack": ["pack"],
    "dataset": ["open_cohort", "PackedCohort"],
    "stats": ["ArrayStatistics"],
    "sample": ["write_sample_cohort"],
}

__all__ = sorted(name for names in _LAZY.values() for name in names)


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())
