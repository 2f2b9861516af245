"""vmtkmeshtonumpy: a mesh as a nested dict of numpy arrays (vmtk's layout, lossless)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkMeshToNumpy(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Mesh = None
        self.ReturnCellTypesAsStrings = 1
        self.StructureCellsAsList = 0
        self.Copy = 1
        self.ArrayDict = None
        self.SetScriptName("vmtkmeshtonumpy")
        self.SetScriptDoc(
            "convert a mesh to a nested dict of numpy arrays: Points, PointData, CellData and Cells "
            "(CellPointIds in VTK's flat [n, ids...] layout, CellLocations, CellTypes), plus FieldData, "
            "ActiveArrays and ArrayTypes; exact dtypes"
        )
        self.SetInputMembers([
            ["Mesh", "i", "vtkUnstructuredGrid", 1, "", "the input mesh", "vmtkmeshreader"],
            ["ReturnCellTypesAsStrings", "typestrings", "bool", 1, "",
             "add Cells['CellTypesAsStrings']: each VTK cell class name present, with its type id"],
            ["StructureCellsAsList", "structure", "bool", 0, "",
             "give CellPointIds as a list with one array of point ids per cell (no CellLocations); "
             "slower and larger than the flat layout on big meshes"],
            ["Copy", "copy", "bool", 1, "",
             "give arrays that own their memory; 0: views of the mesh's memory where possible"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if self.Mesh is None:
            self.PrintError("no input mesh; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout

        self.ArrayDict = layout.to_dict(
            self.Mesh,
            "mesh",
            cell_types_as_strings=bool(self.ReturnCellTypesAsStrings),
            cells_as_list=bool(self.StructureCellsAsList),
            copy=bool(self.Copy),
        )


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
