"""vmtkmeshreader: read a mesh file (.vtu, .vtk, .vtkhdf) into a vtkUnstructuredGrid."""

import sys

from vmtkscripts_numpy import pypes
from vmtkscripts_numpy.vtkfiles.vmtk_formats import format_range


class vmtkMeshReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.InputFileName = ""
        self.Mesh = None
        self.Output = None
        self.GhostNodes = 1
        self.VolumeElementsOnly = 0
        self.CellEntityIdsArrayName = "CellEntityIds"
        self.SetScriptName("vmtkmeshreader")
        self.SetScriptDoc("read a mesh and stores it in a vtkUnstructuredGrid object")
        self.SetInputMembers([
            ["Format", "f", "str", 1, format_range("mesh", "reader"), "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["Mesh", "i", "vtkUnstructuredGrid", 1, "", "the input mesh"],
            ["InputFileName", "ifile", "str", 1, "", "input file name"],
            ["GhostNodes", "ghostnodes", "bool", 1, "", "for vmtk's fdneut reader; accepted here as vmtk accepts it"],
            ["VolumeElementsOnly", "volumeelementsonly", "bool", 1, "",
             "for vmtk's fdneut and ngneut readers; accepted here as vmtk accepts it"],
            ["CellEntityIdsArrayName", "entityidsarray", "str", 1, "",
             "for vmtk's ngneut, tetgen and lifev readers; accepted here as vmtk accepts it"]])
        self.SetOutputMembers([
            ["Mesh", "o", "vtkUnstructuredGrid", 1, "", "the output mesh", "vmtkmeshwriter"],
            ["CellEntityIdsArrayName", "entityidsarray", "str", 1, "", "name of the array of entity ids"]])

    def Execute(self):
        if not self.InputFileName:
            self.PrintError("no InputFileName; give one with -ifile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.mesh import read_mesh
        from vmtkscripts_numpy.vtkfiles.vmtk_formats import check_supported, vmtk_format

        file_format = vmtk_format("mesh", "reader", self.Format, self.InputFileName)
        check_supported("mesh", "reader", file_format, self.InputFileName)
        self.PrintLog(f"Reading mesh file {self.InputFileName}.")
        with self.ReportProgress(f"reading {self.InputFileName}"):
            self.Mesh = read_mesh(self.InputFileName, format=file_format or None)
        self.Output = self.Mesh


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
