"""The municipality page's active persons per service area, read from figures kept above
(``planning.holdings`` keeps ``PersonFigure``, docs/performance.md) instead of counting a
municipality's ~50,000 persons per request. Organisations sits below planning and
cannot call it: planning registers its reader from ``PlanningConfig.ready()``, as it
listens to ``persons_changed``. Without a reader (or for a day it does not keep), the
page counts the persons itself."""

from __future__ import annotations

import datetime
from collections.abc import Callable

Reader = Callable[..., "dict[int | None, int] | None"]

_readers: list[Reader] = []


def register_person_counts(reader: Reader) -> None:
    """``reader(user=, municipality_id=, day=)`` → {service area id (None: none): active
    persons ``user`` may see}, or None when it does not know that day."""
    if reader not in _readers:
        _readers.append(reader)


def active_person_counts(
    *, user, municipality_id: int, day: datetime.date
) -> dict[int | None, int] | None:
    for reader in _readers:
        return reader(user=user, municipality_id=municipality_id, day=day)
    return None
