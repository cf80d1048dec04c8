"""REST endpoints for leasing: lease models, the price list, buyouts and financing.

The routes keep the paths they had while leasing lived in ``catalogue`` and ``inventory``.
"""

from samdrift.core.api import SamdriftModelSerializer, SamdriftViewSet
from samdrift.leasing.api import buyouts, financing, pricing
from samdrift.leasing.filtersets import LeaseModelFilterSet
from samdrift.leasing.models import LeaseModel
from samdrift.leasing.services import save_lease_model


class LeaseModelSerializer(SamdriftModelSerializer):
    class Meta:
        model = LeaseModel
        fields = [
            "id",
            "name",
            "term_months",
            "annual_rate",
            "residual_percent",
            "monthly_service_fee",
            "payment_timing",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_lease_model(lease_model=LeaseModel(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_lease_model(lease_model=instance, changes=validated_data)


class LeaseModelViewSet(SamdriftViewSet):
    queryset = LeaseModel.objects.all()
    serializer_class = LeaseModelSerializer
    filterset_class = LeaseModelFilterSet


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    pricing.register(router)  # the price list
    buyouts.register(router)  # buyouts, their items, asset prices, amounts owed
    financing.register(router)  # the board's financing view
    router.register("lease-models", LeaseModelViewSet)
