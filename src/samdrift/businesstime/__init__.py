"""Business time: how long a service-hours calendar is open between two instants, and
when a target of so many business seconds falls due (issue #13, service levels).

Pure functions of aware ``datetime`` values with no Django, database or settings, like
``finance/``: it imports only the standard library and the ``holidays`` package, so the
service-level rules have one implementation that is property-tested in isolation
(``tests/businesstime``).

- ``Calendar``: weekly hours in a time zone, Norwegian public holidays closed, the
  operator's own closed or shortened days; ``Calendar.around_the_clock()`` for 24/7.
- ``business_seconds``, ``due_at``, ``open_intervals``, ``business_seconds_excluding``
  (pauses), ``overlap_seconds`` (downtime inside service hours).
- ``to_aware``: a naive local wall time as an instant, with a stated rule for the hours a
  daylight-saving change skips or repeats.
"""

from samdrift.businesstime.calendar import Calendar, norwegian_public_holidays
from samdrift.businesstime.clock import (
    business_seconds,
    business_seconds_excluding,
    due_at,
    open_intervals,
    overlap_seconds,
)
from samdrift.businesstime.zones import to_aware

__all__ = [
    "Calendar",
    "business_seconds",
    "business_seconds_excluding",
    "due_at",
    "norwegian_public_holidays",
    "open_intervals",
    "overlap_seconds",
    "to_aware",
]
