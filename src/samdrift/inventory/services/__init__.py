"""Write operations on assets, assignments and subscriptions.

Each is one transaction: validation first (raising ValidationError that names the
field), then the writes, whose change-log rows are written in the same transaction.

The public names are re-exported here: callers (views, the API, importers, buyouts and
many tests) import them from ``samdrift.inventory.services``.
"""

from samdrift.inventory.services.assets import (
    NewAsset,
    asset_instances,
    assignment_instances,
    change_asset_status,
    create_asset,
    create_assets,
    update_asset,
)
from samdrift.inventory.services.assignments import assign_asset, end_assignment
from samdrift.inventory.services.bulk import (
    reassign_service_area,
    record_events_in_bulk,
    set_planned_replacement,
)
from samdrift.inventory.services.corrections import (
    REASON_MAX_LENGTH,
    UNCHANGED,
    AssignmentChange,
    Correction,
    correct_assignment,
    plan_correction,
)
from samdrift.inventory.services.lifecycle import record_asset_event
from samdrift.inventory.services.subscriptions import (
    end_subscription,
    record_usage,
    subscribe,
    update_usage,
)

__all__ = [
    "REASON_MAX_LENGTH",
    "UNCHANGED",
    "AssignmentChange",
    "Correction",
    "NewAsset",
    "asset_instances",
    "assign_asset",
    "assignment_instances",
    "change_asset_status",
    "correct_assignment",
    "create_asset",
    "create_assets",
    "end_assignment",
    "end_subscription",
    "plan_correction",
    "reassign_service_area",
    "record_asset_event",
    "record_events_in_bulk",
    "record_usage",
    "set_planned_replacement",
    "subscribe",
    "update_asset",
    "update_usage",
]
