from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderingConfig(AppConfig):
    name = "samdrift.ordering"
    label = "ordering"
    verbose_name = _("Ordering")

    def ready(self) -> None:
        from samdrift.core.choices import Role
        from samdrift.ordering import home_notifications
        from samdrift.ui.navigation import register, sees_all

        def orders_writer(user) -> bool:
            return user.is_operator or user.role in (Role.MUNICIPALITY, Role.SERVICE_AREA)

        def approver(user) -> bool:
            return (
                user.role in (Role.MUNICIPALITY, Role.SERVICE_AREA)
                and not user.sees_all_municipalities
            )

        def operator(user) -> bool:
            return user.is_operator

        def rule_setter(user) -> bool:
            return user.is_operator or user.role == Role.MUNICIPALITY

        register(
            section="ordering",
            label=_("Catalogue and order"),
            url_name="ordering:catalogue",
            order=5,
        )
        register(
            section="ordering",
            label=_("Basket"),
            url_name="ordering:basket",
            visible=orders_writer,
            order=8,
        )
        register(section="ordering", label=_("Orders"), url_name="ordering:order_list", order=10)
        register(
            section="ordering",
            label=_("To approve"),
            url_name="ordering:approvals",
            visible=approver,
            order=20,
        )
        register(
            section="ordering",
            label=_("To deliver"),
            url_name="ordering:deliveries",
            visible=operator,
            order=30,
        )
        register(
            section="ordering",
            label=_("Returns"),
            url_name="ordering:return_list",
            order=40,
        )
        register(
            section="ordering",
            label=_("Purchasing"),
            url_name="ordering:purchasing",
            visible=sees_all,
            order=50,
        )
        register(
            section="ordering",
            label=_("Offers and bundles"),
            url_name="ordering:offer_list",
            order=60,
        )
        register(
            section="ordering",
            label=_("Approval rule"),
            url_name="ordering:approval_rule",
            visible=rule_setter,
            order=70,
        )
        home_notifications.register()  # what needs attention, on the home page
