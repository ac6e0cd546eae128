"""Running a program in a process of its own: the channel, the child process's side
and threadlab's side (``ProcessRuntime``)."""
