"""vmtkimagetonumpy: an image as a nested dict of numpy arrays, every voxel kept in its physical place."""

import sys

from vmtkscripts_numpy import pypes


class vmtkImageToNumpy(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Image = None
        self.IndexOrder = "xyz"
        self.Copy = 0
        self.XyzToRasMatrixCoefficients = None
        self.ArrayDict = None
        self.SetScriptName("vmtkimagetonumpy")
        self.SetScriptDoc(
            "convert an image (in RAS, as vmtk's scripts hold it) to a nested dict of numpy arrays (vmtk's layout "
            "plus Direction, Extent, IndexOrder, Frame; lossless, zero-copy)"
        )
        self.SetInputMembers([
            ["Image", "i", "vtkImageData", 1, "", "the input image", "vmtkimagereader"],
            ["IndexOrder", "indexorder", "str", 1, '["xyz","zyx"]',
             "index the arrays [x,y,z] (vmtk's) or [z,y,x] (SimpleITK, 3D Slicer, C-ordered numpy)"],
            ["Copy", "copy", "bool", 1, "", "give arrays that own their memory instead of views of the image's"],
            ["XyzToRasMatrixCoefficients", "xyztorasmatrix", "float", 16, "",
             "where vmtk's reader put the image's orientation (piped from it): the dict gets the true placement"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if self.Image is None:
            self.PrintError("no input image; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout
        from vmtkscripts_numpy.convert.image import place_by_xyz_to_ras

        self.ArrayDict = layout.to_dict(
            self.Image, "image", index_order=self.IndexOrder, copy=bool(self.Copy), frame="RAS"
        )
        if self.XyzToRasMatrixCoefficients is not None:
            place_by_xyz_to_ras(self.ArrayDict, self.XyzToRasMatrixCoefficients)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
