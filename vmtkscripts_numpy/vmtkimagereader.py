"""vmtkimagereader: read an image file (.vti, .vtk, .mha/.mhd, .nrrd, .nii/.nii.gz, .vtkhdf) into a vtkImageData."""

import sys

from vmtkscripts_numpy import pypes


class vmtkImageReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.InputFileName = ""
        self.Image = None
        self.Output = None
        self.SetScriptName("vmtkimagereader")
        self.SetScriptDoc("read an image and store it in a vtkImageData object, placed in LPS coordinates")
        self.SetInputMembers([
            ["Format", "f", "str", 1, '["vtkxml","vtk","meta","nrrd","nifti","vtkhdf"]', "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["Image", "i", "vtkImageData", 1, "", "the input image"],
            ["InputFileName", "ifile", "str", 1, "", "input file name"]])
        self.SetOutputMembers([
            ["Image", "o", "vtkImageData", 1, "", "the output image", "vmtkimagewriter"]])

    def Execute(self):
        if not self.InputFileName:
            self.PrintError("no InputFileName; give one with -ifile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.image import read_image

        self.PrintLog(f"Reading image file {self.InputFileName}.")
        self.Image = read_image(self.InputFileName, format=self.Format or None)
        self.PrintLog("Spacing %f %f %f" % self.Image.GetSpacing())
        self.PrintLog("Origin %f %f %f" % self.Image.GetOrigin())
        self.PrintLog("Dimensions %d %d %d" % self.Image.GetDimensions())
        self.Output = self.Image


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
