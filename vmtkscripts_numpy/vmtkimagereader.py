"""vmtkimagereader: read an image file into a vtkImageData, placed as vmtk's own reader places it."""

import sys

from vmtkscripts_numpy import pypes
from vmtkscripts_numpy.vtkfiles.vmtk_formats import format_range


class vmtkImageReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Format = ""
        self.GuessFormat = 1
        self.UseITKIO = 1
        self.InputFileName = ""
        self.InputFilePrefix = ""
        self.InputFilePattern = ""
        self.Image = None
        self.Output = None
        self.DataExtent = [-1, -1, -1, -1, -1, -1]
        self.DataSpacing = [1.0, 1.0, 1.0]
        self.DataOrigin = [0.0, 0.0, 0.0]
        self.DataByteOrder = "littleendian"
        self.DataScalarType = "float"
        self.DesiredOrientation = "native"
        self.HeaderSize = 0
        self.FileDimensionality = 3
        self.Flip = [0, 0, 0]
        self.AutoOrientDICOMImage = 1
        self.RasToIjkMatrixCoefficients = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
        self.XyzToRasMatrixCoefficients = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
        self.SetScriptName("vmtkimagereader")
        self.SetScriptDoc(
            "read an image into a vtkImageData, in RAS and axis-aligned as vmtk's reader gives it "
            "(its orientation in XyzToRasMatrixCoefficients)"
        )
        self.SetInputMembers([
            ["Format", "f", "str", 1, format_range("image", "reader"), "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess file format from extension"],
            ["UseITKIO", "useitk", "bool", 1, "",
             "read MetaImage, NIfTI, NRRD, DICOM, PNG and TIFF as vmtk does through ITK: RAS, axis-aligned; "
             "0: as stored (MetaImage, NIfTI and NRRD in LPS)"],
            ["Image", "i", "vtkImageData", 1, "", "the input image"],
            ["InputFileName", "ifile", "str", 1, "", "input file name"],
            ["InputFilePrefix", "prefix", "str", 1, "", "input file prefix (e.g. foo_)"],
            ["InputFilePattern", "pattern", "str", 1, "", "input file pattern (e.g. %s%04d.png)"],
            ["DataExtent", "extent", "int", 6, "", "3D extent of the image - raw and png"],
            ["HeaderSize", "headersize", "int", 1, "(0,)", "size of the image header - raw only"],
            ["DataSpacing", "spacing", "float", 3, "", "spacing of the image - raw, tiff, png"],
            ["DataOrigin", "origin", "float", 3, "", "origin of the image - raw, tiff, png"],
            ["DesiredOrientation", "orientation", "str", 1, '["native","axial","coronal","sagittal"]',
             "reorder the voxel axes (ITK's RAI, RSA, ASL) - itk only"],
            ["DataByteOrder", "byteorder", "str", 1, '["littleendian","bigendian"]', "byte ordering - raw only"],
            ["DataScalarType", "scalartype", "str", 1, '["float","double","int","short","ushort","uchar"]',
             "scalar type - raw only"],
            ["FileDimensionality", "filedimensionality", "int", 1, "(2,3)",
             "dimensionality of the file to read - raw only"],
            ["Flip", "flip", "bool", 3, "", "toggle flipping of the corresponding axis"],
            ["AutoOrientDICOMImage", "autoorientdicom", "bool", 1, "",
             "accepted as vmtk accepts it; DICOM series are sorted along their slice normal either way"]])
        self.SetOutputMembers([
            ["Image", "o", "vtkImageData", 1, "", "the output image", "vmtkimagewriter"],
            ["RasToIjkMatrixCoefficients", "rastoijkmatrix", "float", 16, "", "RAS to voxel indices, row by row"],
            ["XyzToRasMatrixCoefficients", "xyztorasmatrix", "float", 16, "",
             "the image's coordinates to true RAS, row by row"]])

    def Execute(self):
        if not self.InputFileName and not self.InputFilePrefix:
            self.PrintError("no InputFileName; give one with -ifile (or -prefix for a series)")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.vtkfiles.vmtk_convention import ReaderOptions, read_vmtk_image

        self.PrintLog(f"Reading image file {self.InputFileName or self.InputFilePrefix}.")
        with self.ReportProgress(f"reading {self.InputFileName or self.InputFilePrefix}"):
            placed = read_vmtk_image(self.InputFileName, ReaderOptions(
                format=self.Format, use_itk=bool(self.UseITKIO), prefix=self.InputFilePrefix,
                pattern=self.InputFilePattern, extent=self.DataExtent, header_size=self.HeaderSize,
                spacing=self.DataSpacing, origin=self.DataOrigin, orientation=self.DesiredOrientation,
                byte_order=self.DataByteOrder, scalar_type=self.DataScalarType,
                file_dimensionality=self.FileDimensionality, flip=self.Flip))
        self.Image = placed.image
        self.RasToIjkMatrixCoefficients, self.XyzToRasMatrixCoefficients = placed.coefficients()
        self.PrintLog("Spacing %f %f %f" % self.Image.GetSpacing())
        self.PrintLog("Origin %f %f %f" % self.Image.GetOrigin())
        self.PrintLog("Dimensions %d %d %d" % self.Image.GetDimensions())
        self.Output = self.Image


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
