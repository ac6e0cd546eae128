"""A program that prints, then ends with sys.exit(3) after its threads are done."""

import sys
import threading

done = []


def work(n):
    done.append(n * n)


threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(done))
sys.exit(3)
