"""vmtkimagetonumpy: an image as a nested dict of numpy arrays, every voxel kept in its physical place."""

import sys

from vmtkscripts_numpy import pypes


class vmtkImageToNumpy(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Image = None
        self.IndexOrder = "xyz"
        self.Copy = 0
        self.ArrayDict = None
        self.SetScriptName("vmtkimagetonumpy")
        self.SetScriptDoc(
            "convert an image to a nested dict of numpy arrays (vmtk's layout plus Direction, Extent, IndexOrder; "
            "lossless, zero-copy)"
        )
        self.SetInputMembers([
            ["Image", "i", "vtkImageData", 1, "", "the input image", "vmtkimagereader"],
            ["IndexOrder", "indexorder", "str", 1, '["xyz","zyx"]',
             "index the arrays [x,y,z] (vmtk's) or [z,y,x] (SimpleITK, 3D Slicer, C-ordered numpy)"],
            ["Copy", "copy", "bool", 1, "", "give arrays that own their memory instead of views of the image's"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if self.Image is None:
            self.PrintError("no input image; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert.image import image_to_dict

        self.ArrayDict = image_to_dict(self.Image, index_order=self.IndexOrder, copy=bool(self.Copy))


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
