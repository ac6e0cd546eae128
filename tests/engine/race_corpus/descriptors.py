"""Data and non-data descriptors, __set_name__, and how often each is called."""

import threading

log = []


class Field:
    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        log.append(("get", self.name))
        return getattr(obj, self.name, 0)

    def __set__(self, obj, value):
        log.append(("set", self.name, value))
        setattr(obj, self.name, value)

    def __delete__(self, obj):
        log.append(("delete", self.name))
        delattr(obj, self.name)


class Shout:
    def __get__(self, obj, owner=None):
        log.append(("shout",))
        return lambda: "HEY"


class Account:
    balance = Field()
    owner = Field()
    shout = Shout()

    def deposit(self, amount):
        self.balance += amount


lock = threading.Lock()
account = Account()
account.owner = "ann"


def work():
    with lock:
        account.deposit(5)


threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(account.balance, account.shout(), isinstance(Account.balance, Field))
account.shout = "instance wins over a non-data descriptor"
print(account.shout)
del account.balance
print(account.balance)
for entry in log:
    print(entry)
