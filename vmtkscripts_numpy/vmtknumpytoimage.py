"""vmtknumpytoimage: an image from a nested dict of numpy arrays, every voxel in its physical place."""

import sys

from vmtkscripts_numpy import pypes


class vmtkNumpyToImage(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.ArrayDict = None
        self.IndexOrder = "xyz"
        self.Copy = 0
        self.Image = None
        self.SetScriptName("vmtknumpytoimage")
        self.SetScriptDoc(
            "convert a nested dict of numpy arrays (vmtk's image layout or ours) to an image in RAS, as vmtk's "
            "scripts hold it, every voxel in its physical place"
        )
        self.SetInputMembers([
            ["ArrayDict", "i", "dict", 1, "", "the input dictionary", "vmtknumpyreader"],
            ["IndexOrder", "indexorder", "str", 1, '["xyz","zyx"]',
             "how the arrays are indexed when the dictionary records no IndexOrder: [x,y,z] (vmtk's) or [z,y,x]"],
            ["Copy", "copy", "bool", 1, "", "copy the arrays into the image instead of sharing their memory"]])
        self.SetOutputMembers([["Image", "o", "vtkImageData", 1, "", "the output image", "vmtkimagewriter"]])

    def Execute(self):
        if self.ArrayDict is None:
            self.PrintError("no input dictionary; give one with -i or -ifile")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert import layout

        self.Image = layout.from_dict(
            self.ArrayDict, "image", share=not self.Copy, default_index_order=self.IndexOrder, frame="RAS"
        )


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
