"""vmtksurfacewriter: write a vtkPolyData to a surface file (.vtp, .vtk, .stl, .ply, .vtkhdf)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkSurfaceWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.OutputFileName = ""
        self.Surface = None
        self.Input = None
        self.Mode = "binary"
        self.SetScriptName("vmtksurfacewriter")
        self.SetScriptDoc("write surface to disk")
        self.SetInputMembers([
            ["Surface", "i", "vtkPolyData", 1, "", "the input surface", "vmtksurfacereader"],
            ["Format", "f", "str", 1, '["vtkxml","vtk","stl","ply","vtkhdf"]', "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["Mode", "mode", "str", 1, '["ascii","binary"]',
             "write files in ASCII or binary mode (vtkxml, vtk, stl, ply)"],
            ["OutputFileName", "ofile", "str", 1, "", "output file name"],
            ["OutputFileName", "o", "str", 1, "", "output file name (deprecated: use -ofile)"]])
        self.SetOutputMembers([])

    def Execute(self):
        if self.Surface is None:
            if self.Input is None:
                self.PrintError("no Surface; give one with -i or -ifile")
            self.Surface = self.Input
        if not self.OutputFileName:
            self.PrintError("no OutputFileName; give one with -ofile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.surface import write_surface

        self.PrintLog(f"Writing surface file {self.OutputFileName}.")
        write_surface(self.Surface, self.OutputFileName, format=self.Format or None, mode=self.Mode)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
