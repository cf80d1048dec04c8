"""FilterSets of the leasing models (see ``catalogue.filtersets`` for the convention)."""

from samdrift.core.filtersets import ChangeLoggedFilterSet
from samdrift.leasing.models import LeaseModel


class LeaseModelFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = LeaseModel
        fields = ["term_months", "payment_timing"]
