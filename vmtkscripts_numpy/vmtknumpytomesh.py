"""vmtknumpytomesh: a mesh from a nested dict of numpy arrays (vmtk's layout, lossless)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkNumpyToMesh(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.ArrayDict = None
        self.FlattenListOfCells = 0
        self.Mesh = None
        self.SetScriptName("vmtknumpytomesh")
        self.SetScriptDoc(
            "convert a nested dict of numpy arrays (Points, PointData, CellData, Cells with CellPointIds, "
            "CellLocations and CellTypes; optionally FieldData, ActiveArrays, ArrayTypes) to a mesh"
        )
        self.SetInputMembers([
            ["ArrayDict", "i", "dict", 1, "", "the input array dictionary", "vmtknumpyreader"],
            ["FlattenListOfCells", "flatten", "bool", 0, "",
             "CellPointIds is a list of per-cell arrays (accepted for vmtk's pipes: a list is recognised "
             "either way)"]])
        self.SetOutputMembers([["Mesh", "o", "vtkUnstructuredGrid", 1, "", "the output mesh", "vmtkmeshwriter"]])

    def Execute(self):
        if self.ArrayDict is None:
            self.PrintError("no input dictionary; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout

        self.Mesh = layout.from_dict(self.ArrayDict, "mesh")


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
