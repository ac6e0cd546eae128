"""Bank accounts with private balances, transfers under ordered locks."""

import threading


class InsufficientFunds(Exception):
    pass


class Account:
    def __init__(self, owner, balance):
        self.owner = owner
        self.__balance = balance
        self.__lock = threading.Lock()
        self.__history = []

    @property
    def balance(self):
        return self.__balance

    def _locked(self):
        return self.__lock

    def withdraw(self, amount):
        if amount > self.__balance:
            raise InsufficientFunds(f"{self.owner} has {self.__balance}, needs {amount}")
        self.__balance -= amount
        self.__history.append(-amount)

    def deposit(self, amount):
        self.__balance += amount
        self.__history.append(amount)

    def history(self):
        return sorted(self.__history)


def transfer(source, target, amount, failures):
    first, second = sorted((source, target), key=lambda a: a.owner)
    with first._locked(), second._locked():
        try:
            source.withdraw(amount)
        except InsufficientFunds as error:
            failures.append(str(error))
            return
        target.deposit(amount)


ann, bob = Account("ann", 100), Account("bob", 50)
failures = []
moves = [(ann, bob, 30), (bob, ann, 40), (ann, bob, 500)]
threads = [threading.Thread(target=transfer, args=(*m, failures)) for m in moves]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(ann.balance + bob.balance, [f.split(" has ")[0] for f in failures])
print(len(ann.history()) + len(bob.history()), ann.history()[0] <= -30)
