"""The panels of the scenario screen; each draws itself from one engine ``Snapshot``."""
