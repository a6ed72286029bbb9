"""A child that talks with its parent while it works (briefgen.workers.Conversation): messages
both ways, then its return value; its failure raised in the parent; stopped at any moment."""

from __future__ import annotations

import os

import pytest

from briefgen.workers import in_child_talking


def doubling(job, channel):
    """Answer each number with its double until told None; return how many and the job."""
    answered = 0
    while (number := channel.recv()) is not None:
        channel.send(number * 2)
        answered += 1
    return answered, job


def failing_after_one(_job, channel):
    channel.send(channel.recv())
    raise ValueError("the second message is refused")


def waiting(_job, channel):
    channel.send(os.getpid())
    channel.recv()


def returning_at_once(job, _channel):
    return job


def test_a_conversation_trades_messages_then_gives_the_childs_result() -> None:
    talk = in_child_talking(doubling, "the job")
    answers = []
    for number in (1, 2, 21):
        talk.send(number)
        answers.append(talk.receive())
    talk.send(None)
    assert answers == [2, 4, 42]
    assert talk.result() == (3, "the job")


def test_the_childs_failure_is_raised_where_the_parent_waits_for_its_message() -> None:
    talk = in_child_talking(failing_after_one, None)
    talk.send("hello")
    assert talk.receive() == "hello"
    with pytest.raises(ValueError, match="^the second message is refused$"):
        talk.receive()


def test_a_child_that_ends_without_the_message_asked_for_gives_its_result_instead() -> None:
    talk = in_child_talking(returning_at_once, "done")
    assert talk.receive() == "done"


def test_a_stopped_child_is_gone() -> None:
    talk = in_child_talking(waiting, None)
    pid = talk.receive()
    talk.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
