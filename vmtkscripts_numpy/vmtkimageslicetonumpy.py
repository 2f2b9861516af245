"""vmtkimageslicetonumpy: one plane of an image (oblique or not) as a one-slice image dict, placed where it is."""

import sys

from vmtkscripts_numpy import pypes


class vmtkImageSliceToNumpy(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Image = None
        self.XyzToRasMatrixCoefficients = None
        self.Point = None
        self.Axes = None
        self.Normal = None
        self.Up = None
        self.Spacing = None
        self.Size = None
        self.Thickness = None
        self.Interpolation = "linear"
        self.SnapToPatientAxes = 0
        self.QuarterTurns = 0
        self.BackgroundLevel = 0.0
        self.IndexOrder = "xyz"
        self.ArrayDict = None
        self.Slice = None
        self.SetScriptName("vmtkimageslicetonumpy")
        self.SetScriptDoc(
            "sample one plane of an image (in RAS, as vmtk's scripts hold it) with vtkImageReslice: a one-slice image "
            "dict whose Origin, Spacing and right-handed Direction (third column the normal) place every pixel; "
            "never mirrored"
        )
        self.SetInputMembers([
            ["Image", "i", "vtkImageData", 1, "", "the input image", "vmtkimagereader"],
            ["XyzToRasMatrixCoefficients", "xyztorasmatrix", "float", 16, "",
             "where vmtk's reader put the image's orientation (piped from it): the plane is in true RAS"],
            ["Point", "point", "float", 3, "", "a point of the plane (RAS): the slice's centre"],
            ["Axes", "axes", "float", 6, "",
             "the plane's two in-plane axes: columns, then rows (made perpendicular to the first)"],
            ["Normal", "normal", "float", 3, "", "instead of -axes: the plane's normal"],
            ["Up", "up", "float", 3, "",
             "with -normal: the direction that is up when the rows are shown top-down (without it: -snap 1)"],
            ["Spacing", "spacing", "float", -1, "(0.0,)",
             "pixel size along the two axes (one value or two; default: the smallest voxel size)"],
            ["Size", "size", "int", -1, "(1,)",
             "pixels along the two axes (one value or two; default: the whole image)"],
            ["Thickness", "thickness", "float", 1, "(0.0,)",
             "the slice's third spacing (default: one voxel's extent along the normal)"],
            ["Interpolation", "interpolation", "str", 1, '["linear","nearest","cubic"]',
             "how to sample between voxels"],
            ["SnapToPatientAxes", "snap", "bool", 1, "",
             "store the pixels as a viewer expects for the nearest standard plane (axial: anterior up, patient "
             "left to the right of the screen); the normal may turn round"],
            ["QuarterTurns", "quarterturns", "int", 1, "", "turn the in-plane axes by this many 90-degree steps"],
            ["BackgroundLevel", "background", "float", 1, "", "the value of pixels outside the image"],
            ["IndexOrder", "indexorder", "str", 1, '["xyz","zyx"]', "index the arrays [x,y,z] or [z,y,x]"]])
        self.SetOutputMembers([
            ["ArrayDict", "o", "dict", 1, "", "the slice as an image dict", "vmtknumpywriter"],
            ["Slice", "oslice", "vtkImageData", 1, "", "the slice as an image (RAS, with its direction)",
             "vmtkimagewriter"]])

    def Execute(self):
        if self.Image is None:
            self.PrintError("no input image; give one with -i or -ifile")
        if self.Point is None:
            self.PrintError("no Point; give a point of the plane with -point")
        if (self.Axes is None) == (self.Normal is None):
            self.PrintError("give the plane by its axes (-axes) or by its normal (-normal, with -up or -snap 1)")
        # imported here so that `--help` does not load VTK
        from vmtkscripts_numpy.convert.image import dict_to_image, image_to_dict, place_by_xyz_to_ras
        from vmtkscripts_numpy.slices import extract_slice

        image = image_to_dict(self.Image, frame="RAS", copy=False)  # only read: no copy of the volume
        if self.XyzToRasMatrixCoefficients is not None:
            place_by_xyz_to_ras(image, self.XyzToRasMatrixCoefficients)
        axes = None if self.Axes is None else [self.Axes[:3], self.Axes[3:]]
        try:
            self.ArrayDict = extract_slice(
                image, self.Point, axes, normal=self.Normal, up=self.Up, spacing=self.Spacing, size=self.Size,
                thickness=self.Thickness, interpolation=self.Interpolation,
                snap_to_patient_axes=bool(self.SnapToPatientAxes), quarter_turns=self.QuarterTurns,
                background=self.BackgroundLevel, frame="RAS", index_order=self.IndexOrder)
        except ValueError as error:
            self.PrintError(str(error))
        self.Slice = dict_to_image(self.ArrayDict, frame="RAS")


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
