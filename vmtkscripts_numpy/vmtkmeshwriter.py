"""vmtkmeshwriter: write a vtkUnstructuredGrid to a mesh file (.vtu, .vtk, .vtkhdf)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkMeshWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.OutputFileName = ""
        self.Mesh = None
        self.Input = None
        self.Mode = "binary"
        self.SetScriptName("vmtkmeshwriter")
        self.SetScriptDoc("write a mesh to disk")
        self.SetInputMembers([
            ["Mesh", "i", "vtkUnstructuredGrid", 1, "", "the input mesh", "vmtkmeshreader"],
            ["Format", "f", "str", 1, '["vtkxml","vtk","vtkhdf"]', "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["OutputFileName", "ofile", "str", 1, "", "output file name"],
            ["Mode", "mode", "str", 1, '["ascii","binary"]', "write files in ASCII or binary mode (vtk and vtu only)"]])
        self.SetOutputMembers([])

    def Execute(self):
        if self.Mesh is None:
            if self.Input is None:
                self.PrintError("no Mesh; give one with -i or -ifile")
            self.Mesh = self.Input
        if not self.OutputFileName:
            self.PrintError("no OutputFileName; give one with -ofile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.mesh import write_mesh

        self.PrintLog(f"Writing mesh file {self.OutputFileName}.")
        write_mesh(self.Mesh, self.OutputFileName, format=self.Format or None, mode=self.Mode)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
