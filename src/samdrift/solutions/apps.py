from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolutionsConfig(AppConfig):
    name = "samdrift.solutions"
    label = "solutions"
    verbose_name = _("Solutions")

    def ready(self) -> None:
        from samdrift.ui.navigation import own_municipality, register, sees_all

        register(
            section="solutions",
            label=_("My portfolio"),
            url_name="solutions:portfolio",
            kwargs=own_municipality,
            order=5,
        )
        register(
            section="solutions", label=_("Solutions"), url_name="solutions:solution_list", order=10
        )
        register(
            section="solutions",
            label=_("In use"),
            url_name="solutions:usage_list",
            visible=sees_all,
            order=20,
        )
        register(
            section="solutions",
            label=_("Requirements"),
            url_name="solutions:requirement_list",
            order=30,
        )
        register(section="solutions", label=_("Gaps"), url_name="solutions:gaps", order=40)
        register(
            section="solutions",
            label=_("Standardisation"),
            url_name="solutions:standardisation",
            visible=sees_all,
            order=50,
        )
