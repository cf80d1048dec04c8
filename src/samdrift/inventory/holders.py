"""Keep each asset's mirrored holder equal to the assignment in force *today*.

``Asset.municipality``/``service_area``/``person``/``location`` mirror one assignment so
that "what does this municipality hold" is one indexed filter, and ``restrict()`` decides
access by them. They must mirror the assignment in force today, not the latest one: a
move dated next month takes effect next month, for data and for access (design
invariant 8). The write services set them at once for the day of the write; what remains
is the passing of time — an assignment that starts (or ends) on a later day. Two things
move them then:

* ``samdrift refresh_holders``, for a daily timer (cron, systemd) shortly after midnight;
* ``refresh_holders_daily()``, called from ``HolderRefreshMiddleware`` on a request,
  at most once a day per process, so that an install with no timer is right too.

Both write down the day they brought every asset in line (``HolderRefresh``, one row in
the database), so a process that starts later that day does nothing, and the next day
looks only at the assignments that began or ended since.

Computing the holder at read time instead was rejected: every list, filter and
permission check (``restrict``) would need a join to the assignment in force, on the
hottest queries of the app, to serve a fact that changes on a handful of assets a day.

The refresh is set-based whatever the number of assets: one SELECT finds the assets whose
mirror differs from the assignment in force (for their change-log rows), one UPDATE sets
all of them from correlated sub-selects. The daily call looks only at assets with an
assignment starting or ending since the day written down (the (valid_from, valid_to)
index); the command, and the first call on a database with no day written down, look at
every asset (seconds at the design scale: once, not once per process).
"""

from __future__ import annotations

import datetime
import threading

from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.actor import acting_as
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.dating import active_on
from samdrift.inventory.figures import assets_changed
from samdrift.inventory.models import Asset, Assignment, HolderRefresh

# Fields mirrored from the assignment in force; only this module and the inventory
# services set them.
HOLDER_FIELDS = ("municipality", "service_area", "person", "location")


def _in_force(on: datetime.date) -> QuerySet[Assignment]:
    """The asset's (``OuterRef("pk")``) assignment in force on ``on``: at most one, the
    services keep an asset's assignments from overlapping."""
    return Assignment.objects.filter(active_on(on), asset_id=OuterRef("pk")).order_by()


def stale_assets(*, on: datetime.date, since: datetime.date | None = None) -> QuerySet[Asset]:
    """Assets whose mirrored holder differs from the assignment in force on ``on``.

    With ``since``: only assets with an assignment starting or ending in (since, on],
    the only ones whose holder can have changed by the passing of days since then.
    """
    in_force = _in_force(on)
    queryset = Asset.objects.all()
    if since is not None:
        boundary = Q(valid_from__gt=since, valid_from__lte=on) | Q(
            valid_to__gt=since, valid_to__lte=on
        )
        queryset = queryset.filter(
            pk__in=Assignment.objects.filter(boundary).values("asset_id").order_by()
        )
    # NULL never equals NULL in SQL: compare both sides with 0 standing for "none".
    aliases = {}
    differs = Q()
    for field in HOLDER_FIELDS:
        aliases[f"now_{field}"] = Coalesce(F(f"{field}_id"), Value(0))
        aliases[f"new_{field}"] = Coalesce(Subquery(in_force.values(f"{field}_id")[:1]), Value(0))
        differs |= ~Q(**{f"now_{field}": F(f"new_{field}")})
    return queryset.alias(**aliases).filter(differs)


def refresh_holders(*, on: datetime.date | None = None, since: datetime.date | None = None) -> int:
    """Set every asset's mirrored holder to its assignment in force on ``on`` (today).

    ``since``: the day of the last complete refresh; only assets with an assignment
    boundary after it are looked at. Returns the number of assets changed; each gets a
    change-log row (before → after) by "system", naming the day.
    """
    on = on or timezone.localdate()
    in_force = _in_force(on)
    holder_of = {
        f"{field}_id": Subquery(in_force.values(f"{field}_id")[:1]) for field in HOLDER_FIELDS
    }
    with transaction.atomic():
        stale = list(
            stale_assets(on=on, since=since)
            .annotate(**{f"new_{name}": value for name, value in holder_of.items()})
            .select_for_update()
        )
        if not stale:
            return 0
        befores = []
        held_by = {asset.municipality_id for asset in stale}
        for asset in stale:
            befores.append(asset.changelog_data())
            for name in holder_of:
                setattr(asset, name, getattr(asset, f"new_{name}"))
        # One UPDATE for any number of assets: the stale filter again rather than a list
        # of ids (which SQLite would cap). last_updated is left alone on purpose: nothing
        # billing reads changed (it reads the assignments), and bumping it would send
        # every such asset through the adjustment check of each closed month.
        stale_assets(on=on, since=since).update(**holder_of)
        message = _("The assignment in force on %(date)s took effect.") % {"date": on.isoformat()}
        with acting_as(label="system", message=message):
            record_bulk_changes(stale, action=ChangeAction.UPDATE, before=befores)
        assets_changed(municipality_ids=held_by | {asset.municipality_id for asset in stale})
    return len(stale)


# --- at most once a day per process ------------------------------------------------------

_lock = threading.Lock()
_refreshed_on: datetime.date | None = None


def refreshed_on() -> datetime.date | None:
    """The day written down by the last complete refresh (``None``: never)."""
    return HolderRefresh.objects.order_by("-day").values_list("day", flat=True).first()


def record_refresh(day: datetime.date) -> None:
    """Write down that every asset's holder is the assignment in force on ``day``."""
    updated = HolderRefresh.objects.update(day=day)
    if not updated:
        HolderRefresh.objects.create(day=day)


def refresh_holders_daily(*, today: datetime.date | None = None) -> bool:
    """Refresh the holders once per day (cheap when already done today, by any process).

    Looks only at assets with an assignment boundary since the day the last refresh
    wrote down (every asset when none did). Holders changed by writes in between were
    set by the writing services themselves. Returns whether it ran.
    """
    global _refreshed_on
    today = today or timezone.localdate()
    if _refreshed_on == today:
        return False
    with _lock:
        if _refreshed_on == today:
            return False
        last = refreshed_on()
        ran = last is None or last < today
        if ran:
            with transaction.atomic():
                refresh_holders(on=today, since=last)
                record_refresh(today)
        _refreshed_on = today
    return ran


def forget_daily_refresh() -> None:
    """Make the next ``refresh_holders_daily`` look at every asset (tests, a database
    changed behind the services' back)."""
    global _refreshed_on
    with _lock:
        _refreshed_on = None
        HolderRefresh.objects.all().delete()
