"""vmtkcenterlinestonumpy: centerlines as a nested dict of numpy arrays (vmtk's layout, lossless)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkCenterlinesToNumpy(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Centerlines = None
        self.ConvertCellToPoint = 0
        self.Copy = 1
        self.ArrayDict = None
        self.SetScriptName("vmtkcenterlinestonumpy")
        self.SetScriptDoc(
            "convert centerlines to a nested dict of numpy arrays: Points, PointData and CellData with "
            "CellPointIds (a list of point ids per line, in cell order), plus CellTypes, FieldData, "
            "ActiveArrays and ArrayTypes; exact dtypes"
        )
        self.SetInputMembers([
            ["Centerlines", "i", "vtkPolyData", 1, "", "the input centerlines", "vmtksurfacereader"],
            ["ConvertCellToPoint", "celltopoint", "bool", 1, "", "convert cell data to point data"],
            ["Copy", "copy", "bool", 1, "",
             "give arrays that own their memory; 0: views of the centerlines' memory where possible"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if self.Centerlines is None:
            self.PrintError("no input centerlines; give them with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout

        self.ArrayDict = layout.to_dict(
            self.Centerlines, "centerlines", cell_to_point=bool(self.ConvertCellToPoint), copy=bool(self.Copy)
        )


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
