"""Reading a file in a child process, so that a crash inside VTK becomes a DataFileError, not a dead process.

Most files are checked against their own bytes before VTK reads them (see
:mod:`._xml_header`, :mod:`._ply`, :mod:`._legacy`, :mod:`._nrrd`,
:mod:`._nifti_header`). What cannot be checked cheaply is read here instead: polyhedron cells (VTK
walks their faces without bounds), legacy cell lists of varying lengths
before file version 5, legacy sections only parsing can size, VTKHDF files in
parts or time steps (VTK puts them together itself).

A child process reads the file with the package's own reader for its format,
checks the dataset as every read does, and writes it to a private temporary
VTK XML file (raw binary, no compression: VTK's own output of a checked
dataset); this process then reads that file. The child runs under a memory cap
(``RLIMIT_AS``) and a CPU-time limit, and is killed when it runs out of wall
time: a crash, an allocation without end or an endless loop is one
DataFileError. What VTK prints in the child stays there.

Cost: the children are forked from a server process that has imported VTK
once (started at the first such read, about a second), so a read then costs a
fork and a copy of the dataset's arrays: about 0.1 s more than in place.
Numeric arrays come back as raw bytes this process maps without copying;
others (string and bit arrays, polyhedron faces) as a VTK XML file. Where
``fork`` is missing (Windows), each read starts a new Python (about a
second). Only the files above come here: every other read runs in place.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..errors import DataFileError, warn

#: Set in the server and its children: their reads run in place, never in yet another child.
IN_CHILD = "VMTKSCRIPTS_NUMPY_ISOLATED_READ"
#: Memory a child may add to what it starts with: a fixed allowance and a multiple of the file's size.
MEMORY_BYTES, MEMORY_PER_FILE_BYTE = 4 << 30, 64
#: Seconds a child may take: a fixed allowance and one more per this many bytes of file.
SECONDS, BYTES_PER_SECOND = 120, 10 << 20

_WRITERS = {"surface": "vtkXMLPolyDataWriter", "mesh": "vtkXMLUnstructuredGridWriter",
            "image": "vtkXMLImageDataWriter"}
_READERS = {"surface": "vtkXMLPolyDataReader", "mesh": "vtkXMLUnstructuredGridReader",
            "image": "vtkXMLImageDataReader"}


def in_child() -> bool:
    """Whether this process reads for another (it must not isolate again)."""
    return os.environ.get(IN_CHILD) == "1"


def read_in_child(path: Path, kind: str, format_name: str, why: str) -> Any:
    """Read ``path`` (a ``kind`` file of format ``format_name``) in a child process; return the dataset.

    Raises
    ------
    DataFileError
        The child's own refusal, or, when it crashed, ran out of memory or of
        time, a sentence saying so and ``why`` the file was read apart.
    """
    size = path.stat().st_size
    seconds = SECONDS + size // BYTES_PER_SECOND
    with tempfile.TemporaryDirectory(prefix="vmtknumpy-read-") as folder:
        request: Dict[str, Any] = {"kind": kind, "format": format_name, "source": str(path),
                   "target": str(Path(folder) / "dataset.xml"),
                   "memory": MEMORY_BYTES + MEMORY_PER_FILE_BYTE * size, "seconds": seconds}
        answer = _SERVER.read(request) if hasattr(os, "fork") else _read_in_new_process(request)
        status = answer.get("status")
        for message in answer.get("warnings", []):
            warn(message["text"], _warning_class(message["category"]))
        if status == "read":
            if answer.get("manifest") is not None:
                return _unpack(answer["manifest"], Path(request["target"]))
            return _read_copy(Path(request["target"]), kind, path)
    if status == "refused":
        raise DataFileError(path, answer["problem"])
    if status == "timeout":
        raise DataFileError(path, f"cannot be read: VTK's reader did not finish in {seconds} s ({why})")
    if status == "signal":
        happened = "ran out of time" if answer["signal"] in ("SIGXCPU", "SIGKILL") else f"crashed ({answer['signal']})"
        raise DataFileError(path, f"cannot be read: VTK's reader {happened} on it; the file is damaged ({why})")
    if status == "memory":
        raise DataFileError(path, f"cannot be read: it would need more memory than its size allows ({why})")
    raise DataFileError(path, f"cannot be read: the reading process failed ({answer.get('detail', status)}; {why})")


def _warning_class(name: str) -> type:
    import builtins

    from .. import errors

    found = getattr(errors, name, None) or getattr(builtins, name, None)
    return found if isinstance(found, type) and issubclass(found, Warning) else UserWarning


def _read_copy(copy: Path, kind: str, path: Path) -> Any:
    import vtkmodules.vtkIOXML as xml

    from ._common import run_reader

    return run_reader(getattr(xml, _READERS[kind])(), copy, f"the dataset read from {path.name}")


# --- the dataset handed back ------------------------------------------------------------------------------
#
# A dataset of numeric arrays comes back as their raw bytes in one file, which this process maps: no copy,
# no parsing. Anything else (string or bit arrays, polyhedron faces) comes back as a VTK XML file.

#: The cell arrays of a surface, by the getter and setter of each.
_POLYDATA_CELLS = (("GetVerts", "SetVerts"), ("GetLines", "SetLines"), ("GetPolys", "SetPolys"),
                   ("GetStrips", "SetStrips"))


def _numeric(array: Any) -> bool:
    from vtkmodules.vtkCommonCore import VTK_BIT, vtkDataArray

    return isinstance(array, vtkDataArray) and array.GetDataType() != VTK_BIT


def _pack(data: Any, target: str) -> Optional[Dict[str, Any]]:
    """Write the arrays of ``data`` to ``target``; return what rebuilds it, or None if it needs VTK XML."""
    from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPolyData, vtkUnstructuredGrid

    from ..convert.arrays import vtk_to_numpy

    entries: List[Dict[str, Any]] = []
    pieces: List[Any] = []
    offset = 0

    def add(place: str, array: Any) -> bool:
        nonlocal offset
        if not _numeric(array):
            return False
        values = vtk_to_numpy(array, copy=False)
        entries.append({"place": place, "name": array.GetName(), "type": array.GetDataType(),
                        "components": array.GetNumberOfComponents(), "tuples": array.GetNumberOfTuples(),
                        "offset": offset, "bytes": values.nbytes,
                        "component names": [array.GetComponentName(i) for i in range(array.GetNumberOfComponents())]})
        pieces.append(values)
        offset += -(-values.nbytes // 64) * 64  # every array 64-byte aligned
        return True

    manifest: Dict[str, Any] = {"class": data.GetClassName(), "arrays": entries, "active": {}}
    sections = [("PointData", data.GetPointData()), ("FieldData", data.GetFieldData())]
    if hasattr(data, "GetCellData"):
        sections.append(("CellData", data.GetCellData()))
    for section, attributes in sections:
        for index in range(attributes.GetNumberOfArrays()):
            if not add(section, attributes.GetAbstractArray(index)):
                return None
        if section != "FieldData":
            manifest["active"][section] = {str(role): attributes.GetAbstractAttribute(role).GetName()
                                           for role in range(attributes.NUM_ATTRIBUTES)
                                           if attributes.GetAbstractAttribute(role) is not None}
    if isinstance(data, vtkImageData):
        manifest["image"] = {"extent": list(data.GetExtent()), "origin": list(data.GetOrigin()),
                             "spacing": list(data.GetSpacing()),
                             "direction": [data.GetDirectionMatrix().GetElement(i, j) for i in range(3)
                                           for j in range(3)]}
    else:
        if data.GetPoints() is not None and not add("Points", data.GetPoints().GetData()):
            return None
        if isinstance(data, vtkPolyData):
            cells = [(getter, getattr(data, getter)()) for getter, _ in _POLYDATA_CELLS]
        elif isinstance(data, vtkUnstructuredGrid):
            from ..convert.mesh import cell_types_array
            from ..convert.arrays import numpy_to_vtk

            types = cell_types_array(data)
            if types is not None and bool((vtk_to_numpy(types, copy=False) == 42).any()):
                return None  # polyhedron faces: VTK XML keeps them
            cells = [("GetCells", data.GetCells())]
            if types is not None and not add("Types", numpy_to_vtk(vtk_to_numpy(types), "Types")):
                return None
        else:
            return None
        for getter, cell_array in cells:
            if cell_array is not None and not (add(f"{getter} offsets", cell_array.GetOffsetsArray())
                                               and add(f"{getter} connectivity", cell_array.GetConnectivityArray())):
                return None
    with open(target, "wb") as stream:
        for entry, values in zip(entries, pieces):
            stream.seek(entry["offset"])
            stream.write(memoryview(values.reshape(-1)).cast("B"))
        stream.truncate(max(offset, 1))
    return manifest


def _unpack(manifest: Dict[str, Any], target: Path) -> Any:
    """The dataset ``_pack`` wrote: its arrays share the mapped file's memory."""
    import numpy as np
    import vtkmodules.vtkCommonDataModel as model
    from vtkmodules.vtkCommonCore import vtkDataArray, vtkPoints

    from ..convert.arrays import numpy_dtype_of_vtk_type

    mapped = np.memmap(target, dtype=np.uint8, mode="r+")
    arrays: Dict[str, List[Any]] = {}
    for entry in manifest["arrays"]:
        dtype = numpy_dtype_of_vtk_type(entry["type"])
        values = mapped[entry["offset"]:entry["offset"] + entry["bytes"]].view(dtype)
        array = vtkDataArray.CreateDataArray(entry["type"])
        array.SetNumberOfComponents(entry["components"])
        if entry["name"] is not None:
            array.SetName(entry["name"])
        if values.size:
            array.SetVoidArray(values, values.size, 1)  # 1: numpy's memory, kept alive below
            array._numpy_reference = values  # type: ignore[attr-defined]
        else:
            array.SetNumberOfTuples(0)
        for index, name in enumerate(entry["component names"]):
            if name is not None:
                array.SetComponentName(index, name)
        arrays.setdefault(entry["place"], []).append(array)
    data = getattr(model, manifest["class"])()
    for section in ("PointData", "CellData", "FieldData"):
        if not arrays.get(section) and not manifest["active"].get(section):
            continue
        attributes = getattr(data, f"Get{section}")()
        for array in arrays.get(section, []):
            attributes.AddArray(array)
        for role, name in manifest["active"].get(section, {}).items():
            attributes.SetActiveAttribute(name, int(role))
    if "image" in manifest:
        image = manifest["image"]
        data.SetExtent(*image["extent"])
        data.SetOrigin(*image["origin"])
        data.SetSpacing(*image["spacing"])
        data.SetDirectionMatrix(*image["direction"])
        return data
    # Some VTKs keep a new array sharing the given one's memory (9.1's cell arrays take only their own
    # integer types): that array must then hold the mapped file, as the package's converters do.
    from ..convert.cells import keep_alive
    from ..convert.mesh import cell_types_array

    if "Points" in arrays:
        points = vtkPoints()
        points.SetData(arrays["Points"][0])
        keep_alive(points.GetData(), arrays["Points"][0])
        data.SetPoints(points)
    cells = {getter: setter for getter, setter in _POLYDATA_CELLS}
    for getter in ("GetVerts", "GetLines", "GetPolys", "GetStrips", "GetCells"):
        if f"{getter} offsets" not in arrays:
            continue
        offsets, connectivity = arrays[f"{getter} offsets"][0], arrays[f"{getter} connectivity"][0]
        cell_array = model.vtkCellArray()
        cell_array.SetData(offsets, connectivity)
        keep_alive(cell_array.GetOffsetsArray(), offsets)
        keep_alive(cell_array.GetConnectivityArray(), connectivity)
        if getter == "GetCells":
            types = arrays["Types"][0] if "Types" in arrays else vtkDataArray.CreateDataArray(3)
            data.SetCells(types, cell_array)
            keep_alive(cell_types_array(data), types)
        else:
            getattr(data, cells[getter])(cell_array)
    return data


# --- this process's side ----------------------------------------------------------------------------------


def _environment() -> Dict[str, str]:
    package_root = str(Path(__file__).resolve().parents[2])
    environment = dict(os.environ, **{IN_CHILD: "1"})
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    # One thread in the server (no BLAS pool), so that a fork copies no lock another thread holds.
    environment.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return environment


class _Server:
    """The fork server: started at the first read apart, asked one read at a time, restarted if it died."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: Optional[subprocess.Popen] = None

    def _start(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "vmtkscripts_numpy.vtkfiles._isolated", "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_environment(),
        )
        ready = process.stdout.readline() if process.stdout else b""
        if ready.strip() != b"ready":
            process.kill()
            raise RuntimeError("the reading server did not start")
        return process

    def read(self, request: Dict[str, Any]) -> Dict[str, Any]:
        with self.lock:  # one read at a time through the one server
            for attempt in range(2):
                if self.process is None or self.process.poll() is not None:
                    try:
                        self.process = self._start()
                    except (OSError, RuntimeError) as error:
                        return {"status": "failed", "detail": str(error)}
                try:
                    assert self.process.stdin is not None and self.process.stdout is not None
                    self.process.stdin.write(json.dumps(request).encode() + b"\n")
                    self.process.stdin.flush()
                    line = self.process.stdout.readline()
                    if line:
                        return json.loads(line)
                except (OSError, ValueError):
                    pass
                self.close()  # the server died: start another once
            return {"status": "failed", "detail": "the reading server stopped answering"}

    def close(self) -> None:
        """End the server (it ends itself when its input closes) and let go of its pipes."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


_SERVER = _Server()
atexit.register(_SERVER.close)


def _read_in_new_process(request: Dict[str, Any]) -> Dict[str, Any]:
    """Without fork: one new Python per read, with the same answer as the server's."""
    command = [sys.executable, "-m", "vmtkscripts_numpy.vtkfiles._isolated", "--once", json.dumps(request)]
    try:
        done = subprocess.run(command, env=_environment(), capture_output=True, timeout=request["seconds"] + 60,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    if done.returncode < 0:
        return {"status": "signal", "signal": signal.Signals(-done.returncode).name}
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (ValueError, IndexError):
        return {"status": "failed", "detail": f"exit status {done.returncode}"}


# --- the server's side ------------------------------------------------------------------------------------


def _read_and_write(request: Dict[str, Any]) -> Dict[str, Any]:
    """In the child: read with the format's own reader, check, write the copy; the answer as a dict."""
    import vtkmodules.vtkIOXML as xml

    from . import _dataset_checks
    from .image import IMAGE_FORMATS
    from .mesh import MESH_FORMATS
    from .surface import SURFACE_FORMATS

    kind, source = request["kind"], Path(request["source"])
    table: Any = {"surface": SURFACE_FORMATS, "mesh": MESH_FORMATS, "image": IMAGE_FORMATS}[kind]
    check = {"surface": _dataset_checks.check_surface, "mesh": _dataset_checks.check_mesh,
             "image": _dataset_checks.check_image}[kind]
    caught: List[Dict[str, str]] = []
    try:
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            # The format's own reader, as the parent would run it (images stay in the file's frame).
            data = table.by_name(request["format"]).read(source)
            check(data, source)
        caught = [{"text": str(record.message), "category": record.category.__name__} for record in records]
    except DataFileError as error:
        return {"status": "refused", "problem": error.problem}
    except MemoryError:
        return {"status": "memory"}
    manifest = _pack(data, request["target"])
    if manifest is not None:
        return {"status": "read", "warnings": caught, "manifest": manifest}
    writer: Any = getattr(xml, _WRITERS[kind])()
    writer.SetInputData(data)
    writer.SetFileName(request["target"])
    writer.SetDataModeToAppended()
    writer.EncodeAppendedDataOff()
    writer.SetCompressorTypeToNone()
    writer.SetHeaderTypeToUInt64()
    if writer.Write() != 1:
        return {"status": "failed", "detail": "the checked dataset could not be handed back"}
    return {"status": "read", "warnings": caught}


def _limit(memory: int, seconds: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no limits but the parent's timeout
        return

    try:
        with open("/proc/self/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration):
        size = 0
    # Never above the limits this process already has (a hard limit cannot be raised).
    for limit, wanted in ((resource.RLIMIT_AS, size + memory), (resource.RLIMIT_CPU, seconds)):
        _, hard = resource.getrlimit(limit)
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(limit, (ceiling, hard))


def _serve_one(request: Dict[str, Any]) -> Dict[str, Any]:
    """Fork a child for ``request``; wait for its answer at most its time; report how it ended."""
    answer_read, answer_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 70
        try:
            os.close(answer_read)
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            _limit(request["memory"], request["seconds"])
            answer = _read_and_write(request)
            os.write(answer_write, json.dumps(answer).encode())
            status = 0
        except MemoryError:
            os.write(answer_write, json.dumps({"status": "memory"}).encode())
            status = 0
        except BaseException as error:  # noqa: B902 - anything is an answer, never a second server
            os.write(answer_write, json.dumps({"status": "failed", "detail": f"{type(error).__name__}: {error}"})
                     .encode())
        finally:
            os._exit(status)
    os.close(answer_write)
    chunks, deadline, timed_out = [], time.monotonic() + request["seconds"] + 30, False
    while True:
        ready, _, _ = select.select([answer_read], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            timed_out = True
            break
        chunk = os.read(answer_read, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(answer_read)
    _, wait_status = os.waitpid(pid, 0)
    if timed_out:
        return {"status": "timeout"}
    if os.WIFSIGNALED(wait_status):
        return {"status": "signal", "signal": signal.Signals(os.WTERMSIG(wait_status)).name}
    try:
        return json.loads(b"".join(chunks).decode())
    except ValueError:
        return {"status": "failed", "detail": f"exit status {os.WEXITSTATUS(wait_status)}"}


def _serve() -> None:
    # Everything a read imports, once: each fork starts ready.
    import h5py  # noqa: F401
    import vtkmodules.vtkIOGeometry  # noqa: F401
    import vtkmodules.vtkIOHDF  # noqa: F401
    import vtkmodules.vtkIOImage  # noqa: F401
    import vtkmodules.vtkIOLegacy  # noqa: F401
    import vtkmodules.vtkIOPLY  # noqa: F401
    import vtkmodules.vtkIOXML  # noqa: F401

    from . import image, mesh, surface  # noqa: F401
    from .formats import legacy, meta, nifti, nrrd, ply, stl, vtkhdf, vtkxml, wavefront  # noqa: F401

    _warm_up()
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        if line.strip():
            out.write(json.dumps(_serve_one(json.loads(line))).encode() + b"\n")
            out.flush()


def _warm_up() -> None:
    """Read a tiny file of each format read apart, so that VTK's and HDF5's first-use set-up is done once here,
    not again in every child."""
    import numpy as np

    from ..convert.polydata import dict_to_polydata
    from .surface import SURFACE_FORMATS

    triangle = dict_to_polydata({"Points": np.eye(3), "CellData": {"CellPointIds": np.array([[0, 1, 2]])}})
    with tempfile.TemporaryDirectory(prefix="vmtknumpy-warm-") as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, extension in (("vtkxml", ".vtp"), ("vtk", ".vtk"), ("vtkhdf", ".vtkhdf")):
            path = Path(folder) / f"warm{extension}"
            try:
                SURFACE_FORMATS.by_name(name).write(triangle, path, "binary")
                _pack(SURFACE_FORMATS.by_name(name).read(path), str(Path(folder) / "warm.raw"))
            except (DataFileError, OSError):
                pass  # a VTK without this writer or reader: nothing to warm


def _once(request: Dict[str, Any]) -> None:
    _limit(request["memory"], request["seconds"])
    try:
        answer = _read_and_write(request)
    except MemoryError:
        answer = {"status": "memory"}
    print(json.dumps(answer))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        _serve()
    elif sys.argv[1:2] == ["--once"]:
        _once(json.loads(sys.argv[2]))
