"""Results remembered in the process by everything they are computed from.

A page asks the same costly question again and again (the overview's monthly cost and
fleet figures), though its answer changes only when its inputs do. ``Remembered`` keeps
the last few answers, each under a key its caller builds from every input: who may see
what (``core.permissions.scope_key``), the day, and a version of each kept summary read
(``planning``'s stamps draw a new random version at every count). A changed input is
another key, so an answer is never stale; the oldest keys are forgotten.

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
    """The ``size`` most recently used answers, by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer under ``key``; ``compute()`` it (outside the lock) when there is none."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
