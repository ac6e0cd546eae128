"""The files threadlab writes and reads: run files, JSON-lines and Chrome traces, and how a
file is written whole."""
