"""vmtkmeshreader: read a mesh file (.vtu, .vtk, .vtkhdf) into a vtkUnstructuredGrid."""

import sys

from vmtkscripts_numpy import pypes


class vmtkMeshReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.InputFileName = ""
        self.Mesh = None
        self.Output = None
        self.SetScriptName("vmtkmeshreader")
        self.SetScriptDoc("read a mesh and stores it in a vtkUnstructuredGrid object")
        self.SetInputMembers([
            ["Format", "f", "str", 1, '["vtkxml","vtk","vtkhdf"]', "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["Mesh", "i", "vtkUnstructuredGrid", 1, "", "the input mesh"],
            ["InputFileName", "ifile", "str", 1, "", "input file name"]])
        self.SetOutputMembers([
            ["Mesh", "o", "vtkUnstructuredGrid", 1, "", "the output mesh", "vmtkmeshwriter"]])

    def Execute(self):
        if not self.InputFileName:
            self.PrintError("no InputFileName; give one with -ifile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.mesh import read_mesh

        self.PrintLog(f"Reading mesh file {self.InputFileName}.")
        self.Mesh = read_mesh(self.InputFileName, format=self.Format or None)
        self.Output = self.Mesh


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
