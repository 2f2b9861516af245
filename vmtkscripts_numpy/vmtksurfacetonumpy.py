"""vmtksurfacetonumpy: a surface as a nested dict of numpy arrays (vmtk's layout, lossless)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkSurfaceToNumpy(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Surface = None
        self.ConvertCellToPoint = 0
        self.Copy = 1
        self.ArrayDict = None
        self.SetScriptName("vmtksurfacetonumpy")
        self.SetScriptDoc(
            "convert a surface to a nested dict of numpy arrays: Points, PointData and CellData with "
            "CellPointIds ((M,k) when all cells have k points, else a list), plus CellTypes, FieldData, "
            "ActiveArrays and ArrayTypes; any cell kinds, exact dtypes"
        )
        self.SetInputMembers([
            ["Surface", "i", "vtkPolyData", 1, "", "the input surface", "vmtksurfacereader"],
            ["ConvertCellToPoint", "celltopoint", "bool", 1, "", "convert cell data to point data"],
            ["Copy", "copy", "bool", 1, "",
             "give arrays that own their memory; 0: views of the surface's memory where possible"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if self.Surface is None:
            self.PrintError("no input surface; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout

        self.ArrayDict = layout.to_dict(
            self.Surface, "surface", cell_to_point=bool(self.ConvertCellToPoint), copy=bool(self.Copy)
        )


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
