"""vmtksurfacereader: read a surface file (.vtp, .vtk, .stl, .ply, .obj, .vtkhdf) into a vtkPolyData."""

import sys

from vmtkscripts_numpy import pypes
from vmtkscripts_numpy.vtkfiles.vmtk_formats import format_range


class vmtkSurfaceReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.InputFileName = ""
        self.Surface = None
        self.Output = None
        self.SetScriptName("vmtksurfacereader")
        self.SetScriptDoc("read a surface and store it in a vtkPolyData object")
        self.SetInputMembers([
            ["Format", "f", "str", 1, format_range("surface", "reader"), "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["Surface", "i", "vtkPolyData", 1, "", "the input surface"],
            ["InputFileName", "ifile", "str", 1, "", "input file name"]])
        self.SetOutputMembers([
            ["Surface", "o", "vtkPolyData", 1, "", "the output surface", "vmtksurfacewriter"]])

    def Execute(self):
        if not self.InputFileName:
            self.PrintError("no InputFileName; give one with -ifile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.surface import read_surface
        from vmtkscripts_numpy.vtkfiles.vmtk_formats import check_supported, vmtk_format

        file_format = vmtk_format("surface", "reader", self.Format, self.InputFileName)
        check_supported("surface", "reader", file_format, self.InputFileName)
        self.PrintLog(f"Reading surface file {self.InputFileName}.")
        with self.ReportProgress(f"reading {self.InputFileName}"):
            self.Surface = read_surface(self.InputFileName, format=file_format or None)
        self.Output = self.Surface


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
