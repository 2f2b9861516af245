"""vmtksurfacewriter: write a vtkPolyData to a surface file (.vtp, .vtk, .stl, .ply, .vtkhdf)."""

import sys

from vmtkscripts_numpy import pypes
from vmtkscripts_numpy.vtkfiles.vmtk_formats import format_range


class vmtkSurfaceWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.OutputFileName = ""
        self.Surface = None
        self.Input = None
        self.Mode = "binary"
        self.CellData = 0
        self.SetScriptName("vmtksurfacewriter")
        self.SetScriptDoc("write surface to disk")
        self.SetInputMembers([
            ["Surface", "i", "vtkPolyData", 1, "", "the input surface", "vmtksurfacereader"],
            ["Format", "f", "str", 1, format_range("surface", "writer"), "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["CellData", "celldata", "bool", 1, "", "write CellData when using pointdata format"],
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
        from vmtkscripts_numpy.vtkfiles._pointdata import write_dataset_pointdata
        from vmtkscripts_numpy.vtkfiles.surface import write_surface
        from vmtkscripts_numpy.vtkfiles.vmtk_formats import check_supported, vmtk_format

        file_format = vmtk_format("surface", "writer", self.Format, self.OutputFileName)
        check_supported("surface", "writer", file_format, self.OutputFileName)
        self.PrintLog(f"Writing surface file {self.OutputFileName}.")
        with self.ReportProgress(f"writing {self.OutputFileName}"):
            if file_format == "pointdata":
                write_dataset_pointdata(self.Surface, self.OutputFileName, cell_data=bool(self.CellData))
            else:
                write_surface(self.Surface, self.OutputFileName, format=file_format or None, mode=self.Mode)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
