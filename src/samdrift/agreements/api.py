"""REST endpoints for service agreements and their agreed prices."""

from samdrift.agreements.filtersets import AgreedPriceFilterSet, ServiceAgreementFilterSet
from samdrift.agreements.models import AgreedPrice, ServiceAgreement
from samdrift.agreements.services import (
    create_agreement,
    set_agreed_price,
    update_agreed_price,
    update_agreement,
)
from samdrift.core.api import SamdriftModelSerializer, SamdriftViewSet


class ServiceAgreementSerializer(SamdriftModelSerializer):
    class Meta:
        model = ServiceAgreement
        fields = [
            "id",
            "municipality",
            "name",
            "reference",
            "valid_from",
            "valid_to",
            "notes",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return create_agreement(**validated_data)

    def update(self, instance, validated_data):
        return update_agreement(agreement=instance, changes=validated_data)


class AgreedPriceSerializer(SamdriftModelSerializer):
    class Meta:
        model = AgreedPrice
        fields = [
            "id",
            "agreement",
            "product",
            "service",
            "amount",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return set_agreed_price(**validated_data)

    def update(self, instance, validated_data):
        return update_agreed_price(price=instance, changes=validated_data)


class ServiceAgreementViewSet(SamdriftViewSet):
    queryset = ServiceAgreement.objects.select_related("municipality")
    serializer_class = ServiceAgreementSerializer
    filterset_class = ServiceAgreementFilterSet
    ordering_fields = ["valid_from", "name"]


class AgreedPriceViewSet(SamdriftViewSet):
    queryset = AgreedPrice.objects.select_related("agreement", "product", "service")
    serializer_class = AgreedPriceSerializer
    filterset_class = AgreedPriceFilterSet
    ordering_fields = ["amount"]


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("service-agreements", ServiceAgreementViewSet)
    router.register("agreed-prices", AgreedPriceViewSet)
