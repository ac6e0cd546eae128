"""Two mutexes taken in opposite orders."""

import threading

left, right = threading.Lock(), threading.Lock()


def left_first():
    with left, right:
        pass


def right_first():
    with right, left:
        pass


def main():
    threading.Thread(target=left_first, name="A").start()
    threading.Thread(target=right_first, name="B").start()
