"""ArrayDicts as numpy ``.npz`` archives: one ``.npy`` member per array, a JSON manifest for the rest.

Encoding
--------
- every array, numpy scalar and python number is a ``.npy`` member named by
  its key path joined with ``/``: ``Points.npy``, ``PointData/Radius.npy``,
  ``CellData/CellPointIds/0.npy`` (the 1st item of a list), so that
  ``numpy.load(path)["PointData/Radius"]`` finds it too;
- the member :data:`MANIFEST` (JSON, not an array, so it cannot clash with a
  key path, which always ends in ``.npy``) holds the tree: dicts (in order),
  lists, tuples, strings, empty dicts and the kind of every leaf, plus
  ``layout_version``, ``kind`` and ``writer``.

Arrays are read with ``allow_pickle=False``: an npz never holds a pickle.
An archive without a manifest (e.g. from ``numpy.savez(path, a=..., b=...)``)
reads as a dict of its members, nested at each ``/`` of their names.

Examples
--------
>>> import numpy as np, os, tempfile
>>> from vmtkscripts_numpy.storage import npz
>>> path = os.path.join(tempfile.mkdtemp(), "image.npz")
>>> npz.write(path, {"Spacing": np.ones(3), "IndexOrder": "xyz", "PointData": {}})
>>> npz.read(path)["IndexOrder"]
'xyz'
>>> sorted(np.load(path, allow_pickle=False).files)
['Spacing', 'vmtkscripts_numpy.json']
"""

from __future__ import annotations

import json
import zipfile
from typing import Any, Dict, List, Optional

import numpy as np

from .. import __version__
from .._atomic import atomic_output
from ..errors import ArrayDictError, DataFileError
from . import _files, _tree

NAME = "npz"

#: The manifest member; every array member ends in ``.npy``, so no key path can take this name.
MANIFEST = "vmtkscripts_numpy.json"
#: Accepted ``compression`` values: stored as they are, or zip's deflate (as ``numpy.savez_compressed``).
COMPRESSIONS = (None, "deflate")

_LEAF_TAGS = ("array", "scalar") + _tree.PYTHON_SCALARS


def write(
    path: _files.PathLike,
    array_dict: Dict[str, Any],
    compression: Optional[str] = None,
    compression_level: int = 4,
    kind: Optional[str] = None,
) -> None:
    """Write ``array_dict`` to the npz file ``path``, atomically.

    Parameters
    ----------
    path : str or path-like
        The file written, exactly as given (unlike ``numpy.savez``, no ``.npz`` is added here).
    array_dict : dict
        The ArrayDict; it is checked completely before the file is created.
    compression : {None, "deflate"}
        None (default) stores the arrays as they are, like ``numpy.savez``;
        ``"deflate"`` compresses them, like ``numpy.savez_compressed``.
    compression_level : int
        Deflate level, 0 to 9.
    kind : str, optional
        What the dict holds, written in the manifest; guessed from the keys if not given.

    Raises
    ------
    ArrayDictError
        If ``array_dict`` holds something that cannot be stored; nothing is written.
    DataFileError
        If the file cannot be written; an earlier file at ``path`` is left intact.
    ValueError
        For an unknown compression or a level outside 0-9.
    """
    _files.check_compression("npz", COMPRESSIONS, compression, "deflate", compression_level)
    nodes = list(_tree.walk(array_dict))  # check everything before touching the disk
    manifest: Dict[str, Any] = {
        "format": "vmtkscripts_numpy npz",
        "layout_version": _tree.LAYOUT_VERSION,
        "kind": kind or _tree.guess_kind(array_dict),
        "writer": f"vmtkscripts_numpy {__version__}",
    }
    zip_options: Dict[str, Any] = {"compression": zipfile.ZIP_STORED, "allowZip64": True}
    if compression == "deflate":
        zip_options.update(compression=zipfile.ZIP_DEFLATED, compresslevel=int(compression_level))
    with atomic_output(path) as temporary:
        with open(temporary, "wb") as stream, zipfile.ZipFile(stream, "w", **zip_options) as archive:
            entries: Dict[tuple, Any] = {}
            for where, node_kind, value in nodes:
                member = "/".join(str(part) for part in where)
                if node_kind == "dict":
                    entry: Any = {"dict": []}
                elif node_kind in ("list", "tuple"):
                    entry = {node_kind: []}
                elif node_kind == "str":
                    entry = {"str": value}
                else:
                    if node_kind == "array":
                        data = value
                    elif node_kind == "scalar":
                        data = np.asarray(value)
                    else:
                        data = _tree.python_scalar_array(node_kind, value)
                    with archive.open(member + ".npy", "w", force_zip64=True) as out:
                        np.lib.format.write_array(out, data, allow_pickle=False)
                    entry = {node_kind: member}
                entries[where] = entry
                if where:
                    parent = entries[where[:-1]]
                    children = next(iter(parent.values()))
                    children.append([where[-1], entry] if "dict" in parent else entry)
            manifest["root"] = entries[()]
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, source: str):
        self.archive = archive
        self.source = source
        self.names = set(archive.namelist())

    def fail(self, problem: str) -> DataFileError:
        return DataFileError(self.source, problem)

    def array(self, member: str) -> np.ndarray:
        if member not in self.names:
            raise self.fail(f"member {member} is missing")
        try:
            with self.archive.open(member) as stream:
                return np.lib.format.read_array(stream, allow_pickle=False)
        except ValueError as error:
            if "allow_pickle" in str(error):
                raise self.fail(f"member {member} holds an object array, which would need pickle; "
                                "not loaded") from None
            raise self.fail(f"member {member} is not a valid .npy array: {error}") from None
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as error:
            raise self.fail(f"member {member} is damaged or truncated: {error}") from None

    def node(self, entry: Any, where: str, depth: int) -> Any:
        if depth > _tree.MAX_DEPTH:
            raise self.fail(f"manifest is nested more than {_tree.MAX_DEPTH} deep")
        if not isinstance(entry, dict) or len(entry) != 1:
            raise self.fail(f"manifest entry for {where} is not a one-key object: {str(entry)[:80]}")
        (tag, value), = entry.items()
        if tag == "dict":
            if not isinstance(value, list):
                raise self.fail(f"manifest: dict {where} is not a list of [key, entry] pairs")
            result: Dict[str, Any] = {}
            for pair in value:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                    raise self.fail(f"manifest: dict {where} holds {str(pair)[:80]}, not a [key, entry] pair")
                result[pair[0]] = self.node(pair[1], f"{where}[{pair[0]!r}]", depth + 1)
            return result
        if tag in ("list", "tuple"):
            if not isinstance(value, list):
                raise self.fail(f"manifest: {tag} {where} is not a list")
            items = [self.node(item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value)]
            return items if tag == "list" else tuple(items)
        if tag == "str":
            if not isinstance(value, str):
                raise self.fail(f"manifest: string {where} is a {type(value).__name__}")
            return value
        if tag in _LEAF_TAGS:
            if not isinstance(value, str):
                raise self.fail(f"manifest: {tag} {where} names no member")
            data = self.array(value + ".npy")
            if tag == "array":
                return data
            if data.ndim != 0:
                raise self.fail(f"member {value}.npy should hold a {tag} (0-d) but has shape {data.shape}")
            return data[()] if tag == "scalar" else _tree.python_scalar(tag, data)
        raise self.fail(f"manifest: unknown entry {tag!r} at {where}")

    def from_manifest(self) -> Dict[str, Any]:
        try:
            manifest = json.loads(self.archive.read(MANIFEST).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, EOFError, OSError) as error:
            raise self.fail(f"its manifest {MANIFEST} is damaged: {error}") from None
        if not isinstance(manifest, dict) or "root" not in manifest:
            raise self.fail(f"its manifest {MANIFEST} has no 'root'")
        version = manifest.get("layout_version")
        if not isinstance(version, int) or version < 1:
            raise self.fail(f"its manifest has a bad layout_version {version!r}")
        if version > _tree.LAYOUT_VERSION:
            raise self.fail(f"has layout version {version}; this vmtkscripts_numpy reads up to "
                            f"{_tree.LAYOUT_VERSION}: upgrade vmtkscripts_numpy")
        try:
            tree = self.node(manifest["root"], "ArrayDict", 0)
        except RecursionError:
            raise self.fail("its manifest is nested too deeply") from None
        if not isinstance(tree, dict):
            raise self.fail(f"its manifest's root is a {type(tree).__name__}, not a dict")
        return tree

    def from_members(self) -> Dict[str, Any]:
        """An archive without a manifest: members nested at each ``/`` of their names."""
        tree: Dict[str, Any] = {}
        for member in self.archive.namelist():
            if member.endswith("/"):
                continue  # a folder entry
            if not member.endswith(".npy"):
                raise self.fail(f"member {member} is not a .npy array and there is no {MANIFEST}")
            parts: List[str] = member[: -len(".npy")].split("/")
            try:
                for index, part in enumerate(parts):
                    _tree.check_key(part, tuple(parts[:index]))
            except ArrayDictError as error:
                raise self.fail(f"member {member}: {error}") from None
            node = tree
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise self.fail(f"member {member}: {part} is both an array and a folder")
            if parts[-1] in node:
                raise self.fail(f"member {member}: {parts[-1]} is both an array and a folder")
            node[parts[-1]] = self.array(member)
        return tree


def read(path: _files.PathLike) -> Dict[str, Any]:
    """Read the ArrayDict in the npz file ``path``; arrays are loaded with ``allow_pickle=False``.

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not an npz archive, holds an
        object array, or its manifest does not describe its members.
    """
    name = _files.check_readable(path, NAME)
    try:
        archive = zipfile.ZipFile(name)
    except (zipfile.BadZipFile, EOFError, ValueError) as error:
        raise _files.not_the_format(name, NAME, str(error)) from None
    except OSError as error:
        raise DataFileError(name, f"cannot be read: {error.strerror or error}") from None
    with archive:
        reader = _Reader(archive, name)
        if MANIFEST in reader.names:
            return reader.from_manifest()
        return reader.from_members()
