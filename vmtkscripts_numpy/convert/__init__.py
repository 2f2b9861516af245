"""Pure conversion functions: VTK objects <-> ArrayDicts (nested dicts of numpy arrays).

One module per data kind; :mod:`.arrays` holds what they share. These modules
import VTK, so the scripts import them only when they run.
"""
