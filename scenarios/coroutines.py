"""Coroutines: one thread runs an asyncio event loop; its tasks take turns at each await.

Run it with plain Python too: ``python coroutines.py``.
"""

import asyncio
import time

arrived: dict[int, float] = {}  # page number -> the loop's time when it arrived
crunched: list[int] = []  # what crunch_numbers worked out


def crunch_numbers(n):
    time.sleep(n / 10)  # CPU work, on a worker thread: the loop runs on meanwhile
    crunched.append(n * n)
    return n * n


async def fetch(page, delay):
    await asyncio.sleep(page * delay)  # waits without holding the loop: others run
    arrived[page] = asyncio.get_running_loop().time()
    return f"page {page}"


async def fetch_blocking(page, delay):
    time.sleep(page * delay)  # bug: a blocking call holds the loop: every task stalls
    arrived[page] = asyncio.get_running_loop().time()
    return f"page {page}"


async def fetch_all(pages, delay, crunch, fetch_page):
    tasks = [asyncio.create_task(fetch_page(page, delay)) for page in range(1, pages + 1)]
    await asyncio.to_thread(crunch_numbers, crunch)  # on a worker thread, beside the loop
    await asyncio.gather(*tasks)


# The lesson's own example: an IO wait and a computation, side by side.
async def long_running_io(delay):
    await asyncio.sleep(delay)  # long running IO operation


async def long_running_computation(crunch):
    asyncio.to_thread(crunch_numbers, crunch)  # bug: no await: made, never run


async def io_and_computation(delay, crunch):
    await asyncio.gather(long_running_io(delay), long_running_computation(crunch))


def main(pages=3, delay=5, crunch=4, variant="async"):
    seconds = delay / 10  # each page number waits this long
    if variant == "missing-await":
        asyncio.run(io_and_computation(seconds, crunch))
    else:
        fetch_page = fetch_blocking if variant == "blocking-call" else fetch
        asyncio.run(fetch_all(pages, seconds, crunch, fetch_page))


if __name__ == "__main__":
    main()
