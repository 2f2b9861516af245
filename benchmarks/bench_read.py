"""Reading files: the package's read (its checks of hostile files, then VTK's reader) against VTK's reader alone.

Run from the project root::

    python -m benchmarks.bench_read              # time: every format the package reads, at scale 1
    python -m benchmarks.bench_read --scale 0.1  # a quick look
    python -m benchmarks.bench_read --memory     # peak memory of ASCII PLY and legacy VTK reads (~170 MB files)

Time: a surface of about a million triangles, a mesh of about a million
tetrahedra and a 256³ int16 image (``benchmarks/data.py``; ``--scale`` grows
or shrinks them) are written in every format, then each file is read with
``read_surface`` / ``read_mesh`` / ``read_image`` and with VTK's own reader for
the format (no checks, no placement); the fastest of three runs of each.

Memory: a surface of ``--triangles`` triangles is written as ASCII PLY and
ASCII legacy VTK; each read runs in a fresh process that imports VTK and the
package, resets the kernel's peak-RSS mark and reads ``VmHWM`` after the read
(see :mod:`benchmarks.measure`). The package's read should stay within 1.5×
VTK's own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Dict

from . import data, measure, report

FILES = {"surface": ["s.vtp", "s.vtk", "s.ply", "s.stl", "s.vtkhdf"], "mesh": ["m.vtu", "m.vtk", "m.vtkhdf"],
         "image": ["i.vti", "i.vtk", "i.nii", "i.nii.gz", "i.mha", "raw.nrrd", "gzip.nrrd", "i.vtkhdf"]}


def vtk_reader(path: Path, kind: str) -> Any:
    """VTK's reader of the file's format, on its own."""
    import vtkmodules.vtkIOGeometry as geometry
    import vtkmodules.vtkIOHDF as hdf
    import vtkmodules.vtkIOImage as image
    import vtkmodules.vtkIOLegacy as legacy
    import vtkmodules.vtkIOPLY as ply
    import vtkmodules.vtkIOXML as xml

    reader = {
        ".vtp": xml.vtkXMLPolyDataReader, ".vtu": xml.vtkXMLUnstructuredGridReader, ".vti": xml.vtkXMLImageDataReader,
        ".vtk": {"surface": legacy.vtkPolyDataReader, "mesh": legacy.vtkUnstructuredGridReader,
                 "image": legacy.vtkStructuredPointsReader}[kind],
        ".ply": ply.vtkPLYReader, ".stl": geometry.vtkSTLReader, ".vtkhdf": hdf.vtkHDFReader,
        ".nii": image.vtkNIFTIImageReader, ".gz": image.vtkNIFTIImageReader, ".nrrd": image.vtkNrrdReader,
        ".mha": image.vtkMetaImageReader,
    }[path.suffix]()
    reader.SetFileName(str(path))
    return reader


def package_reader(kind: str) -> Any:
    import vmtkscripts_numpy as vn

    return {"surface": vn.read_surface, "mesh": vn.read_mesh, "image": vn.read_image}[kind]


def write_nrrd(path: Path, image: Dict[str, Any], encoding: str) -> None:
    """An NRRD file of an image dict (the package reads NRRD but does not write it)."""
    volume = image["PointData"]["ImageScalars"]
    header = (f"NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\n"
              f"sizes: {' '.join(map(str, volume.shape))}\nspace directions: (1,0,0) (0,1,0) (0,0,1)\n"
              f"space origin: (0,0,0)\nendian: little\nencoding: {encoding}\n\n")
    values = volume.astype("<i2").tobytes(order="F")
    path.write_bytes(header.encode() + (gzip.compress(values, 1) if encoding == "gzip" else values))


def times(scale: float) -> None:
    import vmtkscripts_numpy as vn
    from vmtkscripts_numpy.errors import DataFileError

    sizes = {"surface": int(1e6 * scale), "mesh": int(1e6 * scale), "image": max(int(256 * scale ** (1 / 3)), 4)}
    dicts = {kind: data.make_dict(kind, size) for kind, size in sizes.items()}
    datasets = {"surface": vn.dict_to_polydata(dicts["surface"]), "mesh": vn.dict_to_mesh(dicts["mesh"]),
                "image": vn.dict_to_image(dicts["image"])}
    writers = {"surface": vn.write_surface, "mesh": vn.write_mesh, "image": vn.write_image}
    rows = []
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind, names in FILES.items():
            for name in names:
                path = Path(folder) / name
                try:
                    if name.endswith(".nrrd"):
                        write_nrrd(path, dicts[kind], name.split(".")[0])
                    else:
                        writers[kind](datasets[kind], path)
                except DataFileError as error:  # a VTK without this writer
                    rows.append([name, "", f"not written by this VTK: {error.problem}", "", ""])
                    continue
                read, forever = package_reader(kind), float("inf")
                package = measure.best_time(lambda: read(path), budget=forever, max_runs=3, once_over=forever)[0]
                alone = measure.best_time(lambda: vtk_reader(path, kind).Update(), budget=forever, max_runs=3,
                                          once_over=forever)[0]
                rows.append([name, report.megabytes(path.stat().st_size), report.seconds(package),
                             report.seconds(alone), report.ratio(package / alone)])
    print(report.table(["file", "size", "package", "VTK alone", "ratio"], rows))


def peak_child(how: str, path: Path) -> Dict[str, int]:
    """In a fresh process: the resident memory before a read of ``path`` and its peak during the read."""
    kind = "surface"
    read, reader = package_reader(kind), vtk_reader(path, kind)  # every module imported before the peak is reset
    _, before, peak = measure.peak_during(lambda: read(path) if how == "package" else reader.Update())
    return {"before": before, "peak": peak}


def peak(how: str, path: Path) -> Dict[str, int]:
    found = measure.run_child("benchmarks.bench_read", "--peak-child", how, str(path))
    if "error" in found:
        raise SystemExit(f"the peak of a read of {path.name} by {how}: {found['error']}")
    return found


def memory(triangles: int) -> None:
    import vmtkscripts_numpy as vn

    why_not = measure.memory_supported()
    if why_not:
        raise SystemExit(f"peak memory cannot be measured here: {why_not}")
    surface = vn.dict_to_polydata(data.surface_dict(triangles))
    rows = []
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("s.ply", "s.vtk"):
            path = Path(folder) / name
            vn.write_surface(surface, path, mode="ascii")
            alone, package = peak("vtk", path), peak("package", path)
            rise = {how: found["peak"] - found["before"] for how, found in (("vtk", alone), ("package", package))}
            rows.append([f"ASCII {path.suffix}", report.megabytes(path.stat().st_size),
                         report.megabytes(alone["peak"]), report.megabytes(package["peak"]),
                         report.ratio(package["peak"] / alone["peak"]), report.megabytes(rise["vtk"]),
                         report.megabytes(rise["package"]), report.ratio(rise["package"] / rise["vtk"])])
    print(f"Peak memory of a read of a {report.size_label('surface', triangles)}-triangle surface, each in a "
          "fresh process (peak: the process's VmHWM; rise: VmHWM minus the resident memory before the read)")
    header = ["file", "size", "VTK alone, peak", "package, peak", "÷ VTK", "VTK alone, rise", "package, rise",
              "÷ VTK"]
    print(report.table(header, rows))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the data for the times (1: 1M cells)")
    parser.add_argument("--memory", action="store_true", help="measure peak memory of ASCII reads instead")
    parser.add_argument("--triangles", type=float, default=3.15e6,
                        help="triangles of the surface of --memory (3.15M: a 173 MB ASCII PLY file)")
    parser.add_argument("--peak-child", nargs=2, metavar=("HOW", "PATH"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.peak_child:
        print(json.dumps(peak_child(options.peak_child[0], Path(options.peak_child[1]))))
    elif options.memory:
        memory(int(options.triangles))
    else:
        times(options.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
