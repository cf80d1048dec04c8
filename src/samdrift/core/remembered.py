"""Results remembered in the process, each with the version of what it was computed from.

A page asks the same costly question again and again (the overview's monthly cost and
fleet figures), though its answer changes only when its inputs do. ``Remembered`` keeps
one answer per question — the ``key``: who may see what (``core.permissions.scope_key``),
the day, … — with the ``version`` of every input it was computed from (``planning``'s
stamps draw a new random version at every count; small inputs may be their own
version). Asked with another version, it computes again and keeps only the new answer,
so an answer is never stale and a superseded one holds no memory. The least recently
asked keys are forgotten beyond ``size``.

Per process: each server worker remembers its own, and nothing is shared between
workers or written anywhere. An answer is shared between requests: read it, never
change it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Remembered(Generic[T]):
    """The answers to the ``size`` most recently asked keys, each with its version."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, tuple[Hashable, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        """The answer to ``key`` at ``version``; ``compute()`` it (outside the lock) when
        there is none, or only one of another version."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None and found[0] == version:
                self._answers.move_to_end(key)
                return found[1]
        answer = compute()
        with self._lock:
            self._answers[key] = (version, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
