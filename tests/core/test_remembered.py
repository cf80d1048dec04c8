"""core.remembered: one answer per key, valid for its version; the oldest keys forgotten."""

from __future__ import annotations

import pytest

from samdrift.core.remembered import Remembered


def test_an_answer_is_computed_once_per_key_and_version():
    calls: list[tuple[str, int]] = []

    def answer(key: str, version: int):
        return lambda: calls.append((key, version)) or f"{key} at {version}"

    remembered: Remembered[str] = Remembered(2)
    assert remembered.get("a", 1, answer("a", 1)) == "a at 1"
    assert remembered.get("a", 1, answer("a", 1)) == "a at 1"
    assert calls == [("a", 1)]
    # Another version: computed again, and the old answer is not kept beside it.
    assert remembered.get("a", 2, answer("a", 2)) == "a at 2"
    assert len(remembered) == 1
    assert remembered.get("a", 1, answer("a", 1)) == "a at 1"  # not the answer at 2
    assert calls == [("a", 1), ("a", 2), ("a", 1)]


def test_the_least_recently_asked_key_is_forgotten():
    calls: list[str] = []

    def answer(key: str):
        return lambda: calls.append(key) or key

    remembered: Remembered[str] = Remembered(2)
    remembered.get("a", 0, answer("a"))
    remembered.get("b", 0, answer("b"))
    remembered.get("a", 0, answer("a"))  # "a" asked last: "b" is now the oldest
    remembered.get("c", 0, answer("c"))  # a third key: "b" is forgotten
    assert calls == ["a", "b", "c"]
    remembered.get("a", 0, answer("a"))
    assert calls == ["a", "b", "c"]
    remembered.get("b", 0, answer("b"))
    assert calls == ["a", "b", "c", "b"]
    remembered.clear()
    remembered.get("a", 0, answer("a"))
    assert calls == ["a", "b", "c", "b", "a"]


def test_a_failed_computation_remembers_nothing():
    remembered: Remembered[int] = Remembered(4)

    def fails() -> int:
        raise ValueError("no answer")

    with pytest.raises(ValueError, match="no answer"):
        remembered.get("k", 1, fails)
    assert remembered.get("k", 1, lambda: 7) == 7
