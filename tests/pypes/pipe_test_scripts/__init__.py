"""Small scripts that exercise the engine without VTK: a source, a sink, and a JSON reader/writer."""
