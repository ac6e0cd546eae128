"""The app's screens: the scenario picker, a scenario's live view, and the help screen."""
