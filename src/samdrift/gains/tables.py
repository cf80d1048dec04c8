"""The columns of the gains lists and their exports (one place per model)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from samdrift.gains.filtersets import OPEN_STATUSES
from samdrift.ui.tables import Column, Table, id_link


def is_overdue(action, today=None) -> bool:
    """An open action (planned or in progress) past its deadline."""
    today = today or timezone.localdate()
    return action.status in OPEN_STATUSES and action.deadline < today


class DeadlineColumn(Column):
    """The deadline, with "overdue" written beside it (never a colour alone)."""

    def render(self, obj: Any) -> str:
        text = super().render(obj)
        if is_overdue(obj):
            return format_html(
                '{} <span class="badge warning" data-testid="overdue">{}</span>',
                text,
                _("overdue"),
            )
        return text


class MunicipalitiesColumn(Column):
    """ "All members", or the names of the municipalities concerned (prefetched)."""

    def value(self, obj: Any) -> Any:
        if obj.all_municipalities:
            return str(_("All members"))
        return ", ".join(m.name for m in obj.municipalities.all())


ACTION_TABLE = Table(
    columns=[
        Column("title", _("Title"), order_by=("title",), link=id_link("gains:action_detail")),
        Column("owner", _("Owner"), order_by=("owner",)),
        MunicipalitiesColumn("municipalities", _("Municipalities")),
        Column("start", _("Start"), kind="date", order_by=("start",)),
        DeadlineColumn("deadline", _("Deadline"), kind="date", order_by=("deadline",)),
        Column("status", _("Status"), kind="choice", order_by=("status",)),
        Column("budget", _("Budget"), kind="money", order_by=("budget",)),
        Column("cost_to_date", _("Cost so far"), kind="money", order_by=("cost_to_date",)),
        Column("description", _("Description"), in_table=False),
    ],
    default_sort="deadline",
    prefetch_related=("municipalities",),
    export_name="gain-actions",
)
