"""The headless command line: parsing, list, trace, replay --check, explore and serve; the app
is opened through the entry point above it."""
