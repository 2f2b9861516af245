"""vmtknumpywriter: write a nested dict of numpy arrays to a pickle, HDF5 or npz file."""

import sys

from vmtkscripts_numpy import pypes


class vmtkNumpyWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.ArrayDict = None
        self.Input = None
        self.OutputFileName = ""
        self.Format = ""
        self.GuessFormat = 1
        self.Compression = 1
        self.CompressionLevel = 4
        self.CompressionMethod = "gzip"
        self.SetScriptName("vmtknumpywriter")
        self.SetScriptDoc(
            "write a nested dict of numpy arrays (from vmtksurfacetonumpy, vmtkcenterlinestonumpy, "
            "vmtkmeshtonumpy or vmtkimagetonumpy) to a pickle, HDF5 or npz file, losslessly and atomically; "
            "a file name without extension gets the format's (.pickle, .hdf5, .npz), one with an extension "
            "is kept as given"
        )
        self.SetInputMembers([
            ["ArrayDict", "i", "dict", 1, "", "the input array dictionary", "vmtknumpyreader"],
            ["OutputFileName", "ofile", "str", 1, "", "the output file name"],
            ["Format", "format", "str", 1, '["pickle","hdf5","npz"]',
             "file format; default: guessed from the extension (.pickle/.pkl, .hdf5/.h5/.hdf, .npz), else pickle"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess the format from the file name's extension"],
            ["Compression", "compression", "bool", 1, "", "compress the arrays (hdf5 and npz)"],
            ["CompressionLevel", "compressionlevel", "int", 1, "(0,9)",
             "gzip/deflate level: 0 is fastest, 9 smallest"],
            ["CompressionMethod", "compressionmethod", "str", 1, '["gzip","lzf"]',
             "hdf5 compression: gzip (levels, smaller) or lzf (faster); npz always uses deflate (gzip's)"]])
        self.SetOutputMembers([])

    def FormatOptions(self, format_name):
        """The keyword options of the format's ``write`` for this script's members."""
        if format_name == "pickle":
            return {}
        # int() also takes the strings "0"/"1" and "4" that vmtk's members (declared 'str') were given
        if not int(self.Compression):
            return {"compression": None}
        if format_name == "npz":
            if self.CompressionMethod != "gzip":
                self.PrintError(f"npz files are compressed with deflate (gzip's); -compressionmethod "
                                f"{self.CompressionMethod} is for hdf5 only")
            return {"compression": "deflate", "compression_level": int(self.CompressionLevel)}
        if self.CompressionMethod == "lzf":
            return {"compression": "lzf"}
        return {"compression": "gzip", "compression_level": int(self.CompressionLevel)}

    def Execute(self):
        if self.ArrayDict is None:
            if self.Input is None:
                self.PrintError("no ArrayDict; give one with -i or -ifile")
            self.ArrayDict = self.Input
        if not self.OutputFileName:
            self.PrintError("no OutputFileName; give one with -ofile")
        if self.CompressionMethod not in ("gzip", "lzf"):
            self.PrintError(f"unknown CompressionMethod {self.CompressionMethod!r}; use gzip or lzf")
        if not 0 <= int(self.CompressionLevel) <= 9:
            self.PrintError(f"CompressionLevel must be 0 to 9, not {self.CompressionLevel}")
        # imported here so that `--help` does not load numpy or h5py
        from vmtkscripts_numpy import storage

        format_name = self.Format or (storage.guess_format(self.OutputFileName) if self.GuessFormat else None)
        format_name = format_name or storage.DEFAULT_FORMAT
        if format_name not in storage.FORMATS:
            self.PrintError(f"unknown Format {format_name!r}; use one of {', '.join(storage.FORMATS)}")
        target = storage.output_path(self.OutputFileName, format_name)
        self.PrintLog(f"Writing {format_name} file {target}.")
        self.OutputFileName = storage.write(target, self.ArrayDict, format=format_name,
                                            **self.FormatOptions(format_name))


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
