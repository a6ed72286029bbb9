"""``briefgen.shipped.Shipped``: a value pickled on its own, unpickled where it is received only
when asked for, and the same value then."""

from __future__ import annotations

import pickle

from briefgen.shipped import Shipped

#: The objects of :class:`Counted` unpickled so far in this process.
UNPICKLED: list[Counted] = []


class Counted:
    """A value that says when it is unpickled."""

    def __init__(self, text: str):
        self.text = text

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        UNPICKLED.append(self)


def test_a_shipped_value_is_unpickled_once_and_only_when_asked_for() -> None:
    UNPICKLED.clear()
    value = Counted("the brief")
    local = Shipped(value)
    assert local.get() is value  # where it was made, it is the value itself

    received = pickle.loads(pickle.dumps({"prepared": local, "again": local}))
    assert UNPICKLED == [] and received["prepared"] is received["again"]
    first = received["prepared"].get()
    assert first.text == "the brief" and UNPICKLED == [first]
    assert received["again"].get() is first and UNPICKLED == [first]


def test_a_shipped_value_sent_on_before_it_is_asked_for_stays_pickled_and_is_read_in_the_end() -> None:
    UNPICKLED.clear()
    once = pickle.loads(pickle.dumps(Shipped(Counted("sent on"))))
    twice = pickle.loads(pickle.dumps(once))
    assert UNPICKLED == []
    assert twice.get().text == "sent on" and len(UNPICKLED) == 1
    # Asked for, then sent again: the value is pickled anew and read back the same.
    assert pickle.loads(pickle.dumps(twice)).get().text == "sent on"


def test_none_is_shipped_as_a_value() -> None:
    assert pickle.loads(pickle.dumps(Shipped(None))).get() is None
