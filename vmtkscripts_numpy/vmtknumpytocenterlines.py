"""vmtknumpytocenterlines: centerlines from a nested dict of numpy arrays (vmtk's layout, lossless)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkNumpyToCenterlines(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.ArrayDict = None
        self.Centerlines = None
        self.SetScriptName("vmtknumpytocenterlines")
        self.SetScriptDoc(
            "convert a nested dict of numpy arrays (Points, PointData, CellData with CellPointIds; "
            "optionally CellTypes, FieldData, ActiveArrays, ArrayTypes) to centerlines; without CellTypes "
            "every cell is a line, as in vmtk"
        )
        self.SetInputMembers([["ArrayDict", "i", "dict", 1, "", "the input array dictionary", "vmtknumpyreader"]])
        self.SetOutputMembers([
            ["Centerlines", "o", "vtkPolyData", 1, "", "the output centerlines", "vmtksurfacewriter"]])

    def Execute(self):
        if self.ArrayDict is None:
            self.PrintError("no input dictionary; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout

        self.Centerlines = layout.from_dict(self.ArrayDict, "centerlines")


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
