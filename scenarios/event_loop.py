"""Event loop: one thread runs handlers from a queue, one at a time, each to its end.

Run it with plain Python too: ``python event_loop.py``.
"""

import queue
import threading
import time

# thread-safe: any thread posts a handler, only the loop takes them
events: queue.Queue = queue.Queue()
parts_to_do = 0  # parts of the long computation: main sets it
parts_done = 0


def on_click():
    time.sleep(0.1)  # redraw: the user sees the answer now


def compute_one_part():
    global parts_done
    time.sleep(0.2)  # a little of the long computation
    parts_done += 1
    if parts_done < parts_to_do:
        # schedule the next part: clicks posted meanwhile run first
        events.put(compute_one_part)


def compute_everything():
    global parts_done
    while parts_done < parts_to_do:
        time.sleep(0.2)  # nothing else runs meanwhile: clicks wait
        parts_done += 1


def event_loop():
    while True:
        handler = events.get()  # waits for the next event
        if handler is None:  # the sign to stop
            return
        handler()  # runs to its end before the next one
        events.task_done()


def user(job, clicks, gap):
    events.put(job)  # start the long computation
    for _ in range(clicks):
        time.sleep(gap / 10)  # the user thinks, then clicks
        events.put(on_click)


def main(parts=6, clicks=4, gap=2, variant="chunked"):
    global parts_to_do
    parts_to_do = parts
    job = compute_one_part if variant == "chunked" else compute_everything
    loop = threading.Thread(target=event_loop, name="Loop")
    clicker = threading.Thread(target=user, name="Input", args=(job, clicks, gap))
    loop.start()
    clicker.start()
    clicker.join()
    # every handler posted has run (a part posts the next before it ends)
    events.join()
    events.put(None)  # stop the loop
    loop.join()


if __name__ == "__main__":
    main()
