"""async def, await, async for, async with, gather, and awaits in augmented assignments."""

import asyncio


class Meter:
    def __init__(self):
        self.total = 0
        self.__events = []

    async def measure(self, n):
        await asyncio.sleep(0.01 * n)
        self.__events.append(n)
        return n * 10

    async def add(self, n):
        self.total += await self.measure(n)

    def events(self):
        return sorted(self.__events)


class Session:
    def __init__(self, log):
        self.log = log

    async def __aenter__(self):
        self.log.append("enter")
        return self

    async def __aexit__(self, *exc):
        self.log.append("exit")
        return False


async def ticks(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i


async def main():
    meter = Meter()
    await asyncio.gather(*(meter.add(n) for n in (1, 2, 3)))
    log = []
    async with Session(log) as session:
        async for tick in ticks(3):
            session.log.append(tick)
    squares = [t * t async for t in ticks(4)]
    results = {}
    results["sum"] = 0
    for n in range(3):
        results["sum"] += await meter.measure(n)
    print(meter.total, meter.events(), log, squares, results)


asyncio.run(main())
