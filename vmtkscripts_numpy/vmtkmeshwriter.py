"""vmtkmeshwriter: write a vtkUnstructuredGrid to a mesh file (.vtu, .vtk, .vtkhdf)."""

import sys

from vmtkscripts_numpy import pypes
from vmtkscripts_numpy.vtkfiles.vmtk_formats import format_range


class vmtkMeshWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.OutputFileName = ""
        self.Mesh = None
        self.Input = None
        self.Mode = "binary"
        self.Compressed = 1
        self.CellEntityIdsOffset = -1
        self.WriteRegionMarkers = 0
        self.CellEntityIdsArrayName = "CellEntityIds"
        self.SetScriptName("vmtkmeshwriter")
        self.SetScriptDoc("write a mesh to disk")
        self.SetInputMembers([
            ["Mesh", "i", "vtkUnstructuredGrid", 1, "", "the input mesh", "vmtkmeshreader"],
            ["Format", "f", "str", 1, format_range("mesh", "writer"), "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["Compressed", "compressed", "bool", 1, "", "for vmtk's dolfin writer; accepted here as vmtk accepts it"],
            ["OutputFileName", "ofile", "str", 1, "", "output file name"],
            ["Mesh", "o", "vtkUnstructuredGrid", 1, "", "the input mesh (vmtk's other name for -i)"],
            ["Mode", "mode", "str", 1, '["ascii","binary"]', "write files in ASCII or binary mode (vtk and vtu only)"],
            ["CellEntityIdsArrayName", "entityidsarray", "str", 1, "",
             "for vmtk's own formats; accepted here as vmtk accepts it"],
            ["CellEntityIdsOffset", "entityidsoffset", "int", 1, "", "for vmtk's dolfin writer; accepted here"],
            ["WriteRegionMarkers", "writeregionmarkers", "bool", 1, "", "for vmtk's dolfin writer; accepted here"]])
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
        from vmtkscripts_numpy.vtkfiles._pointdata import write_dataset_pointdata
        from vmtkscripts_numpy.vtkfiles.mesh import write_mesh
        from vmtkscripts_numpy.vtkfiles.vmtk_formats import check_supported, vmtk_format

        file_format = vmtk_format("mesh", "writer", self.Format, self.OutputFileName)
        check_supported("mesh", "writer", file_format, self.OutputFileName)
        self.PrintLog(f"Writing mesh file {self.OutputFileName}.")
        with self.ReportProgress(f"writing {self.OutputFileName}"):
            if file_format == "pointdata":
                write_dataset_pointdata(self.Mesh, self.OutputFileName)
            else:
                write_mesh(self.Mesh, self.OutputFileName, format=file_format or None, mode=self.Mode)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
