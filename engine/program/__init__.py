"""Programs and their instrumentation: a program runs in a namespace of its own, over the
controlled standard library, with its shared reads and writes made steps."""
