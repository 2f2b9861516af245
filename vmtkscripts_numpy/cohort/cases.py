"""The cases of a cohort: which input files, under which names, with which extra values.

A cohort's inputs are given as glob patterns (``data/*.vtp``, ``data/*/surface.vtp``,
``data/**/*.vtp``), as file names, or as a CSV *manifest*: a table with a column
``input`` (the files, relative to the manifest's folder unless absolute), an
optional column ``name``, and any other columns, whose values a pipe uses as
``{column}``.

A case is **named from its input**: its path relative to the folder all inputs
share, without the extension. ``data/case01.vtp`` is ``case01`` and
``data/p07/surface.vtp`` (beside ``data/p08/surface.vtp``) is ``p07/surface``; a
manifest's ``name`` column overrides this. The name gives the output file
(``OUTPUTDIR/<name><ext>``), so two inputs may not give one name.

Examples
--------
>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> for name in ("b.vtp", "a.vtp"):
...     open(os.path.join(folder, name), "w").close()
>>> [case.name for case in find_cases(os.path.join(folder, "*.vtp"))]
['a', 'b']
"""

from __future__ import annotations

import collections.abc
import csv
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Union

from .._argument_order import data_and_path
from .._typing import PathLike

#: Fields every case gives a pipe; a manifest may not have columns of these names (``name`` excepted).
RESERVED_FIELDS = ("input", "output", "name")

#: Extensions made of two suffixes, removed whole from an input's name.
DOUBLE_EXTENSIONS = (".nii.gz", ".vtk.gz", ".tar.gz")


@dataclass(frozen=True)
class Case:
    """One case of a cohort.

    Attributes
    ----------
    name : str
        The case's name, unique in the cohort; ``/`` separates folders
        (``p07/surface``). The output is ``OUTPUTDIR/<name><ext>``.
    input : str
        The input file, as an absolute path.
    fields : dict of str
        Extra values for the pipe (a manifest's other columns), used as ``{field}``.
    """

    name: str
    input: str
    fields: Dict[str, str] = field(default_factory=dict)


def strip_extension(filename: str) -> str:
    """``case.vtp`` -> ``case``, ``ct.nii.gz`` -> ``ct``; a name without extension stays.

    Examples
    --------
    >>> strip_extension("p07/ct.nii.gz"), strip_extension("case.01.vtp"), strip_extension("README")
    ('p07/ct', 'case.01', 'README')
    """
    lowered = filename.lower()
    for extension in DOUBLE_EXTENSIONS:
        if lowered.endswith(extension) and len(filename) > len(extension):
            return filename[: -len(extension)]
    root, extension = os.path.splitext(filename)
    return root if extension else filename


def names_from_paths(paths: Sequence[str]) -> List[str]:
    """Each path relative to the folder all share, without extension, with ``/`` between folders.

    Examples
    --------
    >>> names_from_paths(["/d/p1/surface.vtp", "/d/p2/surface.vtp"])
    ['p1/surface', 'p2/surface']
    >>> names_from_paths(["/d/a.vtp"])
    ['a']
    """
    if not paths:
        return []
    common = os.path.commonpath([os.path.dirname(path) for path in paths])
    return [strip_extension(os.path.relpath(path, common)).replace(os.sep, "/") for path in paths]


def check_name(name: str) -> str:
    """A case name as a relative path inside the output folder, or a ValueError saying why not."""
    parts = name.split("/")
    if not name or name.startswith("/") or any(part in ("", ".", "..") for part in parts) or "\\" in name:
        raise ValueError(f"case name {name!r} is not a relative path of folders and a file name")
    if any(part.startswith(".") for part in parts):
        raise ValueError(f"case name {name!r}: names starting with '.' are reserved for the runner's own files")
    return name


def read_manifest(path: PathLike) -> List[Case]:
    """The cases of a CSV manifest, in its row order.

    Parameters
    ----------
    path : str or path-like
        A CSV file (UTF-8, a header row) with a column ``input``, an optional
        column ``name`` and any other columns. Relative inputs are relative
        to the manifest's folder.

    Raises
    ------
    ValueError
        When the manifest has no ``input`` column, an empty input, a column
        named ``output``, or a column whose name cannot be a ``{field}``.
    """
    manifest = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(manifest)
    with open(manifest, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        columns = [column.strip() for column in reader.fieldnames or []]
        if "input" not in columns:
            raise ValueError(f"{manifest}: the manifest has no column 'input' (its columns: {', '.join(columns)})")
        for column in columns:
            if column == "output":
                raise ValueError(f"{manifest}: a manifest cannot name outputs; the runner names them "
                                 f"OUTPUTDIR/<name><ext> (give a 'name' column instead)")
            if not column.isidentifier():
                raise ValueError(f"{manifest}: column {column!r} cannot be used as {{{column}}} in a pipe; "
                                 f"rename it to letters, digits and _")
        rows = [{key.strip(): (value or "").strip() for key, value in row.items() if key} for row in reader]
    for number, row in enumerate(rows, start=2):
        if not row.get("input"):
            raise ValueError(f"{manifest}, line {number}: empty input")
    inputs = [os.path.normpath(os.path.join(folder, row["input"])) for row in rows]
    names = names_from_paths(inputs)
    return [
        Case(
            name=row.get("name") or default,
            input=input_path,
            fields={key: value for key, value in row.items() if key not in RESERVED_FIELDS},
        )
        for row, input_path, default in zip(rows, inputs, names)
    ]


def _expand(pattern: str) -> List[str]:
    if glob.has_magic(pattern):
        matches = sorted(path for path in glob.glob(pattern, recursive=True) if os.path.isfile(path))
        if not matches:
            raise ValueError(f"no file matches {pattern!r}")
        return matches
    return [pattern]


def find_cases(inputs: Union[PathLike, Iterable[Union[PathLike, Case]]]) -> List[Case]:
    """The cases of a cohort from glob patterns, file names, a CSV manifest, or :class:`Case` objects.

    Parameters
    ----------
    inputs : str, path-like, or a sequence of them or of Case
        Each string is a glob pattern (``**`` goes into subfolders), a file,
        or a manifest (a ``.csv`` file). Files keep the order given; the files
        a pattern matches are sorted.

    Returns
    -------
    list of Case
        In order; names unique.

    Raises
    ------
    ValueError
        When a pattern matches nothing, a manifest is malformed, or two
        inputs give the same case name (the message names both).
    """
    items = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    cases: List[Case] = []
    plain: List[str] = []
    for item in items:
        if isinstance(item, Case):
            cases.append(Case(item.name, os.path.abspath(item.input), dict(item.fields)))
        elif os.fspath(item).lower().endswith(".csv") and not glob.has_magic(os.fspath(item)):
            cases.extend(read_manifest(item))
        else:
            plain.extend(os.path.abspath(path) for path in _expand(os.fspath(item)))
    cases.extend(Case(name, path) for name, path in zip(names_from_paths(plain), plain))
    seen: Dict[str, str] = {}
    for case in cases:
        check_name(case.name)
        if case.name in seen:
            if seen[case.name] == case.input:
                raise ValueError(f"{case.input} is given twice")
            raise ValueError(
                f"two inputs give the case name {case.name!r}: {seen[case.name]} and {case.input}; "
                f"give the cases names in a manifest (a CSV file with columns input and name)"
            )
        seen[case.name] = case.input
    return cases


def write_manifest(cases: Iterable[Case], path: PathLike) -> Path:
    """Write ``cases`` as a manifest (columns ``input``, ``name`` and their fields); returns its path.

    The older order ``write_manifest(path, cases)`` still works, with a
    :class:`~vmtkscripts_numpy.errors.VmtkNumpyDeprecationWarning`.

    Examples
    --------
    >>> import tempfile
    >>> path = write_manifest([Case("a", "/data/a.vtp", {"side": "left"})],
    ...                       os.path.join(tempfile.mkdtemp(), "cases.csv"))
    >>> print(open(path).read().strip())
    input,name,side
    /data/a.vtp,a,left
    """
    cases, path = data_and_path(cases, path, "write_manifest", collections.abc.Iterable)
    cases = list(cases)
    extra = sorted({key for case in cases for key in case.fields})
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["input", "name"] + extra)
        for case in cases:
            writer.writerow([case.input, case.name] + [case.fields.get(key, "") for key in extra])
    return Path(path)
