"""core.remembered: answers kept by key, the oldest forgotten, computed once a key."""

from __future__ import annotations

import pytest

from samdrift.core.remembered import Remembered


def test_an_answer_is_computed_once_a_key_and_the_least_recent_forgotten():
    calls: list[str] = []

    def answer(key: str):
        return lambda: calls.append(key) or f"answer {key}"

    remembered: Remembered[str] = Remembered(2)
    assert remembered.get("a", answer("a")) == "answer a"
    assert remembered.get("a", answer("a")) == "answer a"
    assert remembered.get("b", answer("b")) == "answer b"
    assert calls == ["a", "b"]
    remembered.get("a", answer("a"))  # "a" used last: "b" is now the oldest
    remembered.get("c", answer("c"))  # a third key: "b" is forgotten
    assert calls == ["a", "b", "c"]
    remembered.get("a", answer("a"))
    assert calls == ["a", "b", "c"]
    remembered.get("b", answer("b"))
    assert calls == ["a", "b", "c", "b"]
    remembered.clear()
    remembered.get("a", answer("a"))
    assert calls == ["a", "b", "c", "b", "a"]


def test_a_failed_computation_remembers_nothing():
    remembered: Remembered[int] = Remembered(4)

    def fails() -> int:
        raise ValueError("no answer")

    with pytest.raises(ValueError, match="no answer"):
        remembered.get("k", fails)
    assert remembered.get("k", lambda: 7) == 7
