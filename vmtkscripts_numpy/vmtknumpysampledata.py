"""vmtknumpysampledata: a small synthetic vessel (surface, centerlines, image) for trying out pipes."""

import sys

from vmtkscripts_numpy import pypes


class vmtkNumpySampleData(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.OutputDirectoryName = ""
        self.Surface = None
        self.Centerlines = None
        self.Image = None
        self.SetScriptName("vmtknumpysampledata")
        self.SetScriptDoc("make a small synthetic vessel: surface, centerlines and image; -d writes them as files")
        self.SetInputMembers([
            ["OutputDirectoryName", "d", "str", 1, "",
             "directory to write vessel.vtp, centerlines.vtp, mesh.vtu and image.vti into (created if needed); "
             "without it nothing is written"]])
        self.SetOutputMembers([
            ["Surface", "o", "vtkPolyData", 1, "", "the vessel surface", "vmtksurfacewriter"],
            ["Centerlines", "ocenterlines", "vtkPolyData", 1, "", "the vessel centerlines", "vmtksurfacewriter"],
            ["Image", "oimage", "vtkImageData", 1, "", "the vessel image", "vmtkimagewriter"]])

    def Execute(self):
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy import sample_data

        self.Surface = sample_data.make_vessel_surface()
        self.Centerlines = sample_data.make_centerlines()
        self.Image = sample_data.make_image()
        if self.OutputDirectoryName:
            for path in sample_data.write_sample_data(self.OutputDirectoryName).values():
                self.PrintLog(f"Wrote {path}")


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
