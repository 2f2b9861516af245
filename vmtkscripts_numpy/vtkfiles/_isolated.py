"""Reading a file in a child process, so that a crash inside VTK becomes a DataFileError, not a dead process.

Most files are checked against their own bytes before VTK reads them (see
:mod:`._xml_header`, :mod:`._ply`, :mod:`._legacy`, :mod:`._nrrd`). What
cannot be checked cheaply (the faces of polyhedron cells, which VTK's
readers walk without bounds) is read here instead: a new Python process
reads the file with the package's own reader, checks the dataset as every
read does, and writes it to a private temporary VTK XML file (raw binary, no
compression: VTK's own output of a checked dataset); this process then reads
that file. The child runs under a memory cap (``RLIMIT_AS``) and a CPU-time
limit, so a file that makes VTK allocate without end or loop forever is
refused as well.

Cost: starting the child (a Python with VTK) takes about half a second, and
the dataset is written and read once more. Only files that need it come here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import DataFileError

#: Set in the child: its reads run in place, never in yet another child.
IN_CHILD = "VMTKSCRIPTS_NUMPY_ISOLATED_READ"
#: Memory the child may use: a fixed allowance and a multiple of the file's size.
MEMORY_BYTES, MEMORY_PER_FILE_BYTE = 4 << 30, 64
#: Seconds the child may take: a fixed allowance and one more per this many bytes of file.
SECONDS, BYTES_PER_SECOND = 120, 10 << 20

_WRITERS = {"surface": "vtkXMLPolyDataWriter", "mesh": "vtkXMLUnstructuredGridWriter",
            "image": "vtkXMLImageDataWriter"}
_READERS = {"surface": "vtkXMLPolyDataReader", "mesh": "vtkXMLUnstructuredGridReader",
            "image": "vtkXMLImageDataReader"}


def in_child() -> bool:
    """Whether this process is a child reading for another (it must not isolate again)."""
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
    package_root = str(Path(__file__).resolve().parents[2])
    environment = dict(os.environ, **{IN_CHILD: "1"})
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="vmtknumpy-read-") as folder:
        copy = Path(folder) / "dataset.xml"
        command = [sys.executable, "-m", "vmtkscripts_numpy.vtkfiles._isolated", kind, format_name, str(path),
                   str(copy), str(MEMORY_BYTES + MEMORY_PER_FILE_BYTE * size), str(seconds)]
        try:
            done = subprocess.run(command, env=environment, capture_output=True, timeout=seconds + 30,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise DataFileError(path, f"cannot be read: VTK's reader did not finish in {seconds} s ({why})") \
                from None
        if done.returncode == 0:
            return _read_copy(copy, kind, path)
        answer = _answer(done.stdout)
        if answer is not None:
            raise DataFileError(path, answer)
        if done.returncode < 0:
            name = signal.Signals(-done.returncode).name
            happened = ("ran out of time" if -done.returncode in (signal.SIGXCPU, signal.SIGKILL)
                        else f"crashed ({name})")
            raise DataFileError(path, f"cannot be read: VTK's reader {happened} on it; the file is damaged ({why})")
        raise DataFileError(path, f"cannot be read: the reading process failed "
                                  f"({done.stderr.decode('utf-8', 'replace').strip()[-300:] or done.returncode}; {why})")


def _answer(stdout: bytes) -> Any:
    try:
        return json.loads(stdout.decode("utf-8").strip().splitlines()[-1])["refusal"]
    except (ValueError, IndexError, KeyError, UnicodeDecodeError):
        return None


def _read_copy(copy: Path, kind: str, path: Path) -> Any:
    import vtkmodules.vtkIOXML as xml

    from ._common import run_reader

    return run_reader(getattr(xml, _READERS[kind])(), copy, f"the dataset read from {path.name}")


def _child(kind: str, format_name: str, source: str, target: str, memory: int, seconds: int) -> int:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    import vtkmodules.vtkIOXML as xml

    from . import _dataset_checks
    from .image import IMAGE_FORMATS
    from .mesh import MESH_FORMATS
    from .surface import SURFACE_FORMATS

    table: Any = {"surface": SURFACE_FORMATS, "mesh": MESH_FORMATS, "image": IMAGE_FORMATS}[kind]
    check = {"surface": _dataset_checks.check_surface, "mesh": _dataset_checks.check_mesh,
             "image": _dataset_checks.check_image}[kind]
    try:
        # The format's own reader, as the parent would run it (images stay in the file's frame).
        data = table.by_name(format_name).read(Path(source))
        check(data, Path(source))
    except DataFileError as error:
        print(json.dumps({"refusal": error.problem}))
        return 3
    except MemoryError:
        print(json.dumps({"refusal": "cannot be read: it would need more memory than its size allows"}))
        return 3
    writer: Any = getattr(xml, _WRITERS[kind])()
    writer.SetInputData(data)
    writer.SetFileName(target)
    writer.SetDataModeToAppended()
    writer.EncodeAppendedDataOff()
    writer.SetCompressorTypeToNone()
    writer.SetHeaderTypeToUInt64()
    return 0 if writer.Write() == 1 else 4


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])))
