from django.apps import AppConfig
from django.db.models.signals import post_delete, post_init, post_save
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "samdrift.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from samdrift.inventory import figures as inventory_figures
        from samdrift.inventory.models import Subscription
        from samdrift.organisations import figures as person_figures
        from samdrift.organisations.models import Person
        from samdrift.organisations.signals import persons_changed
        from samdrift.planning import figures, holdings, notifications, panels
        from samdrift.ui.navigation import own_municipality, register, sees_all

        register(
            section="planning", label=_("Replacement plan"), url_name="planning:plan", order=10
        )
        register(
            section="planning",
            label=_("Campaigns"),
            url_name="planning:campaign_list",
            order=20,
        )
        register(
            section="planning",
            label=_("Investment need"),
            url_name="planning:investment",
            visible=sees_all,
            order=30,
        )
        register(
            section="planning",
            label=_("Forecast"),
            url_name="planning:forecast_list",
            visible=sees_all,
            order=40,
        )
        # A municipality's users: their own forecast (a manager's: of their area).
        register(
            section="planning",
            label=_("My forecast"),
            url_name="planning:forecast_detail",
            kwargs=lambda user: _own(own_municipality(user)),
            order=41,
        )
        register(
            section="planning",
            label=_("Scenarios"),
            url_name="planning:scenario_list",
            visible=sees_all,
            order=50,
        )
        register(
            section="planning",
            label=_("Rules"),
            url_name="planning:rules",
            visible=sees_all,
            order=60,
        )
        panels.register()  # the replacement on the asset page, the forecast link
        notifications.register()  # what needs attention, on the home page
        # The fleet's figures follow every change of assets (planning.figures).
        inventory_figures.register(figures.refresh)
        # What is held today follows them, and subscriptions and persons leaving, saved
        # through the ORM (the services, the admin, the API) (planning.holdings).
        inventory_figures.register_holdings(holdings.refresh)
        # The active persons are counted with them: a person deleted, too.
        for model in (Subscription, Person):
            post_init.connect(_remember_holder, sender=model, dispatch_uid=f"holder-{model}")
            post_save.connect(_holdings_saved, sender=model, dispatch_uid=f"holdings-{model}")
            post_delete.connect(_holdings_saved, sender=model, dispatch_uid=f"holdings-del-{model}")
        persons_changed.connect(_persons_changed, dispatch_uid="holdings-persons")
        # The municipality page reads the active persons from them (organisations.figures).
        person_figures.register_person_counts(holdings.active_persons_by_area)


def _remember_holder(sender, instance, **kwargs) -> None:
    # The municipality the row was counted for, so that moving it to another one
    # recounts both. Read from __dict__: a deferred field (``.only()``) stays unloaded
    # rather than costing a query per row.
    instance._counted_municipality_id = instance.__dict__.get("municipality_id")


def _holdings_saved(sender, instance, **kwargs) -> None:
    from samdrift.inventory.figures import holdings_changed
    from samdrift.organisations.models import Person
    from samdrift.planning.holdings import refresh_persons

    before = getattr(instance, "_counted_municipality_id", None)
    ids = {instance.municipality_id, before}
    holdings_changed(municipality_ids=ids)
    if sender is Person:
        refresh_persons(municipality_ids=ids)  # the active persons (planning.holdings)
    instance._counted_municipality_id = instance.municipality_id


def _persons_changed(sender, municipality_ids, **kwargs) -> None:
    from samdrift.inventory.figures import holdings_changed
    from samdrift.planning.holdings import refresh_persons

    holdings_changed(municipality_ids=municipality_ids)
    refresh_persons(municipality_ids=municipality_ids)


def _own(kwargs):
    return None if kwargs is None else {"municipality_id": kwargs["pk"]}
