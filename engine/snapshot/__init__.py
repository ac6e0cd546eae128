"""What crosses the engine's boundary: the immutable, typed snapshot and the views of each
primitive and event loop."""
