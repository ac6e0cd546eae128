"""Two accounts transferring money to each other: try stepping each teller until it holds
its first account's lock, then step both; each waits for the lock the other holds (a
lock-order inversion) until its timeout gives up.

Each transfer locks the account it takes money from, then the one it pays into. Alice pays
Bob while Bob pays Alice, so the two tellers take the same two locks in opposite orders.
"""

import threading
import time


class Account:
    def __init__(self, owner, balance):
        self.owner = owner
        self.balance = balance
        self.lock = threading.Lock()


def transfer(source, target, amount):
    """Move ``amount``; True when done, False when ``target`` stayed locked too long."""
    with source.lock:
        time.sleep(0.01)  # check the balance, write the audit log...
        if not target.lock.acquire(timeout=1):
            return False  # real code gives up rather than hang forever
        try:
            source.balance -= amount
            target.balance += amount
        finally:
            target.lock.release()
    return True


def teller(source, target, amount, times, backoff):
    done = 0
    while done < times:
        if transfer(source, target, amount):
            done += 1
        else:
            print(f"{source.owner} -> {target.owner}: gave up, trying again")
            time.sleep(backoff)  # each teller waits its own time, so they fall out of step


def main():
    alice = Account("alice", 100)
    bob = Account("bob", 100)
    tellers = [
        threading.Thread(target=teller, args=(alice, bob, 10, 3, 0.02), name="alice-pays"),
        threading.Thread(target=teller, args=(bob, alice, 5, 3, 0.05), name="bob-pays"),
    ]
    for t in tellers:
        t.start()
    for t in tellers:
        t.join()
    print("alice:", alice.balance, "bob:", bob.balance)


if __name__ == "__main__":
    main()
