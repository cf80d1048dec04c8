"""REST endpoints for the catalogue: categories, products, services, prices."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from samdrift.catalogue.filtersets import (
    PriceVersionFilterSet,
    ProductCategoryFilterSet,
    ProductFilterSet,
    ServiceFilterSet,
)
from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.catalogue.services import publish_price, save_category, save_product, save_service
from samdrift.core.api import ReadOnlySamdriftViewSet, SamdriftModelSerializer, SamdriftViewSet


class ProductCategorySerializer(SamdriftModelSerializer):
    class Meta:
        model = ProductCategory
        fields = [
            "id",
            "name",
            "code",
            "useful_life_months",
            "lease_model",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_category(category=ProductCategory(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_category(category=instance, changes=validated_data)


class ProductSerializer(SamdriftModelSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "category",
            "manufacturer",
            "model_number",
            "description",
            "standard_cost",
            "useful_life_months",
            "vat_rate",
            "is_standard",
            "active",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_product(product=Product(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_product(product=instance, changes=validated_data)


class ServiceSerializer(SamdriftModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "code",
            "description",
            "unit",
            "vat_rate",
            "vat_exemption_reason",
            "active",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_service(service=Service(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_service(service=instance, changes=validated_data)


class PriceVersionSerializer(SamdriftModelSerializer):
    """A price version. Created through ``publish_price``; never edited afterwards."""

    class Meta:
        model = PriceVersion
        fields = [
            "id",
            "product",
            "service",
            "amount",
            "valid_from",
            "valid_to",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["valid_to", "created", "last_updated"]

    def validate(self, attrs):
        # publish_price checks ordering against existing versions; here only the shape.
        if bool(attrs.get("product")) == bool(attrs.get("service")):
            raise serializers.ValidationError(
                {"product": ["Give either a product or a service, not both or neither."]}
            )
        return attrs

    def create(self, validated_data):
        return publish_price(**validated_data)


class ProductCategoryViewSet(SamdriftViewSet):
    queryset = ProductCategory.objects.select_related("lease_model")
    serializer_class = ProductCategorySerializer
    filterset_class = ProductCategoryFilterSet


class ProductViewSet(SamdriftViewSet):
    queryset = Product.objects.select_related("category")
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["name", "standard_cost", "category__name"]


class ServiceViewSet(SamdriftViewSet):
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
    ordering_fields = ["name", "code", "unit"]


@extend_schema(
    description="Prices are published as new versions, never edited: POST a new "
    "version and the one in force is closed the day it starts."
)
class PriceVersionViewSet(mixins.CreateModelMixin, ReadOnlySamdriftViewSet):
    queryset = PriceVersion.objects.select_related("product", "service")
    serializer_class = PriceVersionSerializer
    filterset_class = PriceVersionFilterSet
    ordering_fields = ["valid_from", "amount"]


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("product-categories", ProductCategoryViewSet)
    router.register("products", ProductViewSet)
    router.register("services", ServiceViewSet)
    router.register("price-versions", PriceVersionViewSet)
