"""vmtknumpybatch: run a vmtknumpy pipe once per case of a cohort, on Dask; resumable, failures quarantined."""

import sys

from vmtkscripts_numpy import formats, pypes


class vmtkNumpyBatch(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Pipe = ""
        self.Inputs = []
        self.OutputDirectory = ""
        self.OutputExtension = ".hdf5"
        self.Scheduler = ""
        self.Workers = 0
        self.Retries = 0
        self.Fingerprint = "stat"
        self.Index = ""
        self.Done = 0
        self.Skipped = 0
        self.Failed = 0
        self.SetScriptName("vmtknumpybatch")
        self.SetScriptDoc(
            "run a vmtknumpy pipe once per case of a cohort on Dask (a local cluster by default): each output "
            "written whole or not at all and named from its input, a rerun skipping cases whose output is up to "
            "date, failing cases quarantined (reason in index.csv, traceback in failures.log) while the run goes "
            "on; exits 1 if a case failed. Needs: pip install \"vmtkscripts_numpy[cohort]\""
        )
        self.SetInputMembers([
            ["Pipe", "pipe", "str", 1, "",
             "the pipe, quoted, with {input}, {output}, {name} and a manifest's columns replaced per case, e.g. "
             "\"vmtksurfacereader -ifile {input} --pipe vmtksurfacetonumpy -ofile {output}\"; without {output} the "
             "ArrayDict of its last numpy script is written"],
            ["Inputs", "inputs", "str", -1, "",
             "the cases: glob patterns (quoted, ** for subfolders), files, or a CSV manifest with a column 'input' "
             "(and optional 'name' and columns used as {column})"],
            ["OutputDirectory", "outputdir", "str", 1, "", "folder of the outputs, index.csv and failures.log"],
            ["OutputExtension", "outputext", "str", 1, "",
             "extension of the outputs, which chooses the storage format: "
             f"{', '.join(formats.extensions('arraydict', 'write'))} (or any, for a pipe that writes {{output}} "
             "itself)"],
            ["Scheduler", "scheduler", "str", 1, "",
             "address of a running Dask scheduler (tcp://host:8786); default: a local cluster"],
            ["Workers", "workers", "int", 1, "(0,)",
             "worker processes of the local cluster (0: one per core); with -scheduler, workers to wait for"],
            ["Retries", "retries", "int", 1, "(0,)", "further attempts of a failing case before it is quarantined"],
            ["Fingerprint", "fingerprint", "str", 1, '["stat","sha256"]',
             "how a rerun tells an input changed: size and modification time, or the SHA-256 of its bytes"]])
        self.SetOutputMembers([
            ["Index", "index", "str", 1, "", "the index table written (one row per case)"],
            ["Done", "done", "int", 1, "", "cases run"],
            ["Skipped", "skipped", "int", 1, "", "cases whose output was up to date"],
            ["Failed", "failed", "int", 1, "", "cases that failed"]])

    def Execute(self):
        if not self.Pipe:
            self.PrintError('no pipe; give one with -pipe "script -ifile {input} ... -ofile {output}"')
        if not self.Inputs:
            self.PrintError("no inputs; give a glob pattern, files or a CSV manifest with -inputs")
        if not self.OutputDirectory:
            self.PrintError("no output folder; give one with -outputdir")
        # imported here so that `--help` does not load numpy
        from vmtkscripts_numpy.cohort.runner import run_cohort

        inputs = [self.Inputs] if isinstance(self.Inputs, str) else list(self.Inputs)
        try:
            report = run_cohort(
                inputs, self.Pipe, self.OutputDirectory, output_ext=self.OutputExtension,
                scheduler=self.Scheduler or None, workers=self.Workers or None, retries=self.Retries,
                fingerprint=self.Fingerprint, log=self.OutputStream if self.LogOn else None,
            )
        except (ImportError, RuntimeError) as error:
            self.PrintError(str(error))
        self.Index, self.Done, self.Skipped, self.Failed = report.index, report.done, report.skipped, report.failed
        if report.failed:
            self.PrintError(f"{report.failed} of {len(report.records)} cases failed; "
                            f"see {report.failures_log or report.index}")


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
