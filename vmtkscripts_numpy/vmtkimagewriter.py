"""vmtkimagewriter: write a vtkImageData to an image file (.vti, .vtk, .mha/.mhd, .nii/.nii.gz, .vtkhdf)."""

import sys

from vmtkscripts_numpy import pypes


class vmtkImageWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.OutputFileName = ""
        self.Image = None
        self.Input = None
        self.SetScriptName("vmtkimagewriter")
        self.SetScriptDoc("write an image to disk, keeping each voxel's physical position where the format can")
        self.SetInputMembers([
            ["Image", "i", "vtkImageData", 1, "", "the input image", "vmtkimagereader"],
            ["Format", "f", "str", 1, '["vtkxml","vtk","meta","nifti","vtkhdf"]', "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["OutputFileName", "ofile", "str", 1, "", "output file name"],
            ["OutputFileName", "o", "str", 1, "", "output file name (deprecated: use -ofile)"]])
        self.SetOutputMembers([])

    def Execute(self):
        if self.Image is None:
            if self.Input is None:
                self.PrintError("no Image; give one with -i or -ifile")
            self.Image = self.Input
        if not self.OutputFileName:
            self.PrintError("no OutputFileName; give one with -ofile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.image import write_image

        self.PrintLog(f"Writing image file {self.OutputFileName}.")
        write_image(self.Image, self.OutputFileName, format=self.Format or None)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
