"""The results of a run as markdown tables: conversions, storage and start-up."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Optional

from .methods import DIRECTION_TITLES, DIRECTIONS, KINDS, STORAGE_FORMATS, STORAGE_KINDS

KIND_TITLES = {"surface": "Surfaces", "centerlines": "Centerlines", "mesh": "Meshes", "image": "Images",
               "image-zyx": "Images in [z, y, x] order"}
STARTUP_LABELS = {"vmtknumpy-help": "`vmtknumpy --help` (python -m vmtkscripts_numpy --help)",
                  "import-numpy": '`python -c "import numpy"`', "python": '`python -c "pass"`'}


def seconds(value: Optional[float]) -> str:
    if value is None:
        return "–"
    if value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    return f"{value * 1e3:.2f} ms" if value < 1 else f"{value:.2f} s"


def ratio(value: Optional[float]) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:,.0f}×" if value >= 10 else f"{value:.2f}×"


def megabytes(value: float) -> str:
    return f"{value / 1e6:,.1f} MB" if value >= 1e5 else f"{value / 1e3:,.1f} kB"


def size_label(kind: str, size: int) -> str:
    """``"512³"`` for an image, ``"1M"``, ``"10k"`` or ``"1,234"`` for other kinds."""
    if kind.startswith("image"):
        return f"{size}³"
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size >= factor and size % (factor // 100) == 0:
            return f"{size / factor:g}{suffix}"
    return f"{size:,}"


def table(header: List[str], rows: Iterable[List[str]], align: Optional[str] = None) -> str:
    """A markdown table; ``align`` has one letter per column (``l``, ``r`` or ``c``), left then right by default."""
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": "---", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def memory_text(record: Dict[str, Any]) -> str:
    """The peak memory of a conversion, and its ratio to the input's plus the output's bytes."""
    memory = record.get("memory")
    if not memory:
        return ""
    if "error" in memory:
        return "n/a"
    peak = memory["input_bytes"] + memory["rise"]
    return f"{megabytes(peak)} ({peak / max(memory['input_bytes'] + memory['output_bytes'], 1):.2f}× in+out)"


def select(records: List[Dict[str, Any]], section: str, **fields: Any) -> List[Dict[str, Any]]:
    """The records of ``section`` whose ``fields`` have the values given."""
    return [r for r in records if r["section"] == section and all(r.get(k) == v for k, v in fields.items())]


def conversion_table(records: List[Dict[str, Any]], kind: str, direction: str) -> str:
    rows = []
    found = select(records, "conversion", kind=kind, direction=direction)
    for record in found:
        size, time, key = record["size"], record["time"], record["method"]
        times = {r["method"]: r["time"] for r in found if r["size"] == size}
        limit, loop = times.get("numpy-copy"), times.get("loop")
        if time is None:
            note = f"not run (projected {seconds(record['projected'])})" if record.get("projected") else "not run"
            rows.append([size_label(kind, size), record["label"], note, "", "", ""])
            continue
        rows.append([size_label(kind, size), record["label"], seconds(time),
                     ratio(time / limit) if limit and key != "numpy-copy" else "",
                     ratio(loop / time) if loop and key != "loop" else "", memory_text(record)])
    return table([KINDS[kind], "method", "time", "× numpy copy", "loop ÷ this", "peak memory"], rows, "llrrrr")


def storage_table(records: List[Dict[str, Any]], kind: str) -> str:
    rows = []
    labels = {f.key: f.label for f in STORAGE_FORMATS}
    found = select(records, "storage", kind=kind)
    for record in found:
        limit = next((r for r in found if r["size"] == record["size"] and r["format"] == "numpy-save"), record)
        compared = record is not limit
        rows.append([size_label(kind, record["size"]), labels[record["format"]],
                     seconds(record["write"]), ratio(record["write"] / limit["write"]) if compared else "",
                     seconds(record["read"]), ratio(record["read"] / limit["read"]) if compared else "",
                     megabytes(record["file_bytes"])])
    return table([STORAGE_KINDS[kind], "format", "write", "÷ np.save", "read", "÷ np.load", "file"], rows, "llrrrrr")


def full_report(records: List[Dict[str, Any]]) -> str:
    """Every table of a run, each under a heading."""
    parts = []
    for kind in KINDS:
        for direction in DIRECTIONS:
            if select(records, "conversion", kind=kind, direction=direction):
                title = f"## {KIND_TITLES[kind]}: {DIRECTION_TITLES[direction]}"
                parts += [title, "", conversion_table(records, kind, direction), ""]
    for kind in STORAGE_KINDS:
        if select(records, "storage", kind=kind):
            parts += [f"## Storage: {KIND_TITLES[kind].lower()}", "", storage_table(records, kind), ""]
    startup = {r["command"]: r["time"] for r in select(records, "startup")}
    if startup:
        base = startup.get("import-numpy")
        rows = [[STARTUP_LABELS[key], seconds(value), ratio(value / base) if base else ""]
                for key, value in startup.items()]
        parts += ["## Start-up", "", table(["command", "median wall time", "÷ import numpy"], rows, "lrr"), ""]
    return "\n".join(parts)
