"""vmtknumpytosurface: a surface from a nested dict of numpy arrays (vmtk's layout, lossless)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkNumpyToSurface(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.ArrayDict = None
        self.Surface = None
        self.SetScriptName("vmtknumpytosurface")
        self.SetScriptDoc(
            "convert a nested dict of numpy arrays (Points, PointData, CellData with CellPointIds; "
            "optionally CellTypes, FieldData, ActiveArrays, ArrayTypes) to a surface; without CellTypes "
            "every cell is a polygon, as in vmtk"
        )
        self.SetInputMembers([["ArrayDict", "i", "dict", 1, "", "the input array dictionary", "vmtknumpyreader"]])
        self.SetOutputMembers([["Surface", "o", "vtkPolyData", 1, "", "the output surface", "vmtksurfacewriter"]])

    def Execute(self):
        if self.ArrayDict is None:
            self.PrintError("no input dictionary; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout

        self.Surface = layout.from_dict(self.ArrayDict, "surface")


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
