"""vmtknumpywriter: write a nested dict of numpy arrays to a pickle, HDF5 or npz file (or any registered format)."""

import sys

from vmtkscripts_numpy import formats, pypes

KIND = "arraydict"


def _extensions() -> str:
    """``.pickle/.pkl, .hdf5/.h5/.hdf, .npz``: each format's extensions, from the registry."""
    return ", ".join("/".join(entry.extensions) for entry in formats.formats(KIND) if entry.can("write"))


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
            f"vmtkmeshtonumpy or vmtkimagetonumpy) to a {formats.spoken(KIND, 'write')} file, losslessly "
            f"and atomically; a file name without extension gets the format's "
            f"({', '.join(entry.extension for entry in formats.formats(KIND) if entry.can('write'))}), "
            "one with an extension is kept as given"
        )
        self.SetInputMembers([
            ["ArrayDict", "i", "dict", 1, "", "the input array dictionary", "vmtknumpyreader"],
            ["OutputFileName", "ofile", "str", 1, "", "the output file name"],
            ["Format", "format", "str", 1, formats.format_range(KIND, "write"),
             f"file format; default: guessed from the extension ({_extensions()}), else pickle"],
            ["GuessFormat", "guessformat", "bool", 1, "", "guess the format from the file name's extension"],
            ["Compression", "compression", "bool", 1, "",
             f"compress the arrays ({' and '.join(e.name for e in formats.formats(KIND) if e.compressions)}); "
             "on by default, as in vmtk, whereas write_array_dict from Python stores them uncompressed "
             "unless given compression="],
            ["CompressionLevel", "compressionlevel", "int", 1, "(0,9)",
             "gzip/deflate level: 0 is fastest, 9 smallest"],
            ["CompressionMethod", "compressionmethod", "str", 1,
             "[" + ",".join(f'"{method}"' for method in formats.compression_methods(KIND)) + "]",
             f"gzip (levels, smaller) or lzf (faster), as the format offers ({formats.compressions_in_words(KIND)})"]])
        self.SetOutputMembers([])

    def FormatOptions(self, file_format):
        """The keyword options of the format's ``write`` for this script's members."""
        if not file_format.compressions:
            return {}
        # int() also takes the strings "0"/"1" and "4" that vmtk's members (declared 'str') were given
        if not int(self.Compression):
            return {"compression": None}
        compression = file_format.compression(self.CompressionMethod)
        if compression is None:
            offered = ", ".join(f"{entry.option} ({entry.method}'s)" if entry.option != entry.method else entry.method
                                for entry in file_format.compressions)
            others = [entry.name for entry in formats.formats(KIND) if entry.compression(self.CompressionMethod)]
            self.PrintError(f"{file_format.name} files are compressed with {offered}; -compressionmethod "
                            f"{self.CompressionMethod} is for {', '.join(others)} only")
        if not compression.levels:
            return {"compression": compression.option}
        return {"compression": compression.option, "compression_level": int(self.CompressionLevel)}

    def Execute(self):
        if self.ArrayDict is None:
            if self.Input is None:
                self.PrintError("no ArrayDict; give one with -i or -ifile")
            self.ArrayDict = self.Input
        if not self.OutputFileName:
            self.PrintError("no OutputFileName; give one with -ofile")
        if self.CompressionMethod not in formats.compression_methods(KIND):
            self.PrintError(f"unknown CompressionMethod {self.CompressionMethod!r}; use "
                            f"{' or '.join(formats.compression_methods(KIND))}")
        if not 0 <= int(self.CompressionLevel) <= 9:
            self.PrintError(f"CompressionLevel must be 0 to 9, not {self.CompressionLevel}")
        # imported here so that `--help` does not load numpy or h5py
        from vmtkscripts_numpy import storage

        format_name = self.Format or (storage.guess_format(self.OutputFileName) if self.GuessFormat else None)
        format_name = format_name or storage.DEFAULT_FORMAT
        if format_name not in formats.names(KIND, "write"):
            self.PrintError(f"unknown Format {format_name!r}; use one of {', '.join(formats.names(KIND, 'write'))}")
        target = storage.output_path(self.OutputFileName, format_name)
        self.PrintLog(f"Writing {format_name} file {target}.")
        with self.ReportProgress(f"writing {target}"):
            written = storage.write(self.ArrayDict, target, format=format_name,
                                    **self.FormatOptions(formats.by_name(KIND, format_name)))
        self.OutputFileName = str(written)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
