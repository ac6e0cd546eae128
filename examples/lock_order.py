"""Two tellers moving money between the same two accounts: try stepping one teller into its
first ``with`` and then the other into its own; each now waits for the lock the other holds,
for ever (a lock-order inversion).

Each transfer locks the account it takes money from, then the one it pays into, and waits
as long as it takes: no timeout. Alice pays Bob while Bob pays Alice, so the two tellers
take the same two locks in opposite orders. Plain Python almost never switches threads
between the two ``with`` lines, so this usually ends; the rare switch there hangs it.
"""

import threading
import time


class Account:
    def __init__(self, owner, balance):
        self.owner = owner
        self.balance = balance
        self.lock = threading.Lock()


def transfer(source, target, amount):
    with source.lock:
        with target.lock:  # bug: the other teller takes these two locks the other way round
            source.balance -= amount
            target.balance += amount


def teller(source, target, amount, times, paperwork):
    for _ in range(times):
        time.sleep(paperwork)  # check the request, fill in the form...
        transfer(source, target, amount)


def main():
    alice = Account("alice", 100)
    bob = Account("bob", 100)
    tellers = [
        threading.Thread(target=teller, args=(alice, bob, 10, 3, 0.002), name="alice-pays"),
        threading.Thread(target=teller, args=(bob, alice, 5, 3, 0.003), name="bob-pays"),
    ]
    for t in tellers:
        t.start()
    for t in tellers:
        t.join()
    print("alice:", alice.balance, "bob:", bob.balance)


if __name__ == "__main__":
    main()
