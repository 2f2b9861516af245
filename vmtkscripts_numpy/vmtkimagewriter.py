"""vmtkimagewriter: write a vtkImageData (in RAS, vmtk's frame) to an image file, every voxel in its place."""

import sys

from vmtkscripts_numpy import pypes
from vmtkscripts_numpy.vtkfiles.vmtk_formats import format_range


class vmtkImageWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.UseITKIO = 1
        self.ApplyTransform = 0
        self.OutputFileName = ""
        self.OutputRawFileName = ""
        self.OutputDirectoryName = ""
        self.PixelRepresentation = ""
        self.Image = None
        self.Input = None
        self.WindowLevel = [1.0, 0.0]
        self.RasToIjkMatrixCoefficients = None
        self.SetScriptName("vmtkimagewriter")
        self.SetScriptDoc(
            "write an image (in RAS, as vmtk's scripts hold it) to disk, keeping each voxel's physical position "
            "where the format can"
        )
        self.SetInputMembers([
            ["Image", "i", "vtkImageData", 1, "", "the input image", "vmtkimagereader"],
            ["Format", "f", "str", 1, format_range("image", "writer"), "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["UseITKIO", "useitk", "bool", 1, "",
             "accepted as vmtk accepts it; files are placed right either way"],
            ["ApplyTransform", "transform", "bool", 1, "",
             "place the voxels by the RasToIjk matrix (-matrix, or piped from vmtkimagereader)"],
            ["OutputFileName", "ofile", "str", 1, "", "output file name"],
            ["OutputFileName", "o", "str", 1, "", "output file name (deprecated: use -ofile)"],
            ["OutputRawFileName", "rawfile", "str", 1, "", "name of the output raw file - meta image only"],
            ["OutputDirectoryName", "d", "str", 1, "",
             "accepted as vmtk accepts it (vmtk does not use it either); -ofile names the files"],
            ["PixelRepresentation", "r", "str", 1, '["double","float","short"]', "output scalar type"],
            ["WindowLevel", "windowlevel", "float", 2, "",
             "window and level for mapping graylevels to 0-255 before writing - png, tiff"],
            ["RasToIjkMatrixCoefficients", "matrix", "float", 16, "", "RAS to voxel indices, row by row"]])
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
        from vmtkscripts_numpy.vtkfiles.vmtk_convention import WriterOptions, write_vmtk_image

        self.PrintLog(f"Writing image file {self.OutputFileName}.")
        with self.ReportProgress(f"writing {self.OutputFileName}"):
            write_vmtk_image(self.Image, self.OutputFileName, WriterOptions(
                format=self.Format, apply_transform=bool(self.ApplyTransform),
                ras_to_ijk=self.RasToIjkMatrixCoefficients, raw_file_name=self.OutputRawFileName,
                pixel_representation=self.PixelRepresentation, window_level=self.WindowLevel))


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
