"""Catalogue offers, bundles (with parts) and the municipalities' approval rules."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from samdrift.core.api import SamdriftModelSerializer, SamdriftViewSet
from samdrift.core.permissions import restrict
from samdrift.ordering.models import ApprovalRule, Bundle, BundlePart, CatalogueOffer
from samdrift.ordering.selectors import bundle_prices
from samdrift.ordering.services import catalogue as services
from samdrift.ordering.services import set_approval_rule
from samdrift.organisations.models import Municipality

TIMESTAMPS = ["created", "last_updated"]


class CatalogueOfferSerializer(SamdriftModelSerializer):
    class Meta:
        model = CatalogueOffer
        fields = [
            "id",
            "product",
            "service",
            "standard",
            "active",
            "lead_time_days",
            "one_off_fee",
            "note",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return services.save_offer(offer=CatalogueOffer(**validated_data))

    def update(self, instance, validated_data):
        return services.save_offer(offer=instance, changes=validated_data)


class BundlePartSerializer(SamdriftModelSerializer):
    class Meta:
        model = BundlePart
        fields = ["id", "bundle", "product", "service", "quantity", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return services.save_bundle_part(part=BundlePart(**validated_data))

    def update(self, instance, validated_data):
        return services.save_bundle_part(part=instance, changes=validated_data)


class NestedPartSerializer(serializers.ModelSerializer):
    class Meta:
        model = BundlePart
        fields = ["id", "product", "service", "quantity"]
        read_only_fields = fields


class BundleSerializer(SamdriftModelSerializer):
    parts = NestedPartSerializer(many=True, read_only=True)
    monthly_price = serializers.SerializerMethodField(
        help_text="The month of one bundle for ?municipality= today, summed from its parts' "
        "prices as billing rounds them; null without ?municipality= or when a part has no "
        "price. Computed, never stored."
    )

    class Meta:
        model = Bundle
        fields = [
            "id",
            "name",
            "code",
            "description",
            "lead_time_days",
            "one_off_fee",
            "active",
            "parts",
            "monthly_price",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_monthly_price(self, obj):
        prices = self.context.get("bundle_prices") or {}
        price = prices.get(obj.pk)
        return None if price is None else f"{price:.2f}"

    def create(self, validated_data):
        return services.save_bundle(bundle=Bundle(**validated_data))

    def update(self, instance, validated_data):
        return services.save_bundle(bundle=instance, changes=validated_data)


class ApprovalRuleSerializer(SamdriftModelSerializer):
    class Meta:
        model = ApprovalRule
        fields = [
            "id",
            "municipality",
            "contact_approval_above",
            "allow_self_approval",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS
        # One rule per municipality: a create for one that has it changes it.
        extra_kwargs = {"municipality": {"validators": []}}

    def validate(self, attrs):
        # The rule is one per municipality: ``set_approval_rule`` creates or changes it,
        # so the uniqueness check of the model does not apply to a create.
        return attrs

    def create(self, validated_data):
        return set_approval_rule(
            municipality=validated_data["municipality"],
            contact_approval_above=validated_data.get("contact_approval_above"),
            allow_self_approval=validated_data.get("allow_self_approval", False),
        )

    def update(self, instance, validated_data):
        if validated_data.get("municipality", instance.municipality) != instance.municipality:
            raise ValidationError(
                {"municipality": [_("A rule belongs to its municipality; set the other's.")]}
            )
        return set_approval_rule(
            municipality=instance.municipality,
            contact_approval_above=validated_data.get(
                "contact_approval_above", instance.contact_approval_above
            ),
            allow_self_approval=validated_data.get(
                "allow_self_approval", instance.allow_self_approval
            ),
        )


class CatalogueOfferViewSet(SamdriftViewSet):
    """Products and services that may be ordered (operators write)."""

    queryset = CatalogueOffer.objects.select_related("product", "service")
    serializer_class = CatalogueOfferSerializer
    filterset_fields = ["product", "service", "standard", "active"]
    ordering_fields = ["lead_time_days", "id"]


MUNICIPALITY_PARAMETER = OpenApiParameter(
    "municipality", int, description="Price the bundles for this municipality (today)."
)


@extend_schema(parameters=[MUNICIPALITY_PARAMETER])
class BundleViewSet(SamdriftViewSet):
    """Bundles with their parts; ``?municipality=`` adds each one's monthly price."""

    queryset = Bundle.objects.prefetch_related("parts")
    serializer_class = BundleSerializer
    filterset_fields = ["active"]
    ordering_fields = ["name", "id"]

    def _municipality(self):
        wanted = self.request.query_params.get("municipality")
        if not wanted:
            return None
        try:
            pk = int(wanted)
        except ValueError:
            raise ValidationError({"municipality": [_("Give a municipality id.")]}) from None
        municipality = restrict(Municipality.objects.all(), self.request.user).filter(pk=pk)
        found = municipality.first()
        if found is None:
            raise NotFound(_("No municipality with that id."))
        return found

    def _with_prices(self, bundles):
        municipality = self._municipality()
        if municipality is None:
            return {}
        return bundle_prices(municipality=municipality, day=timezone.localdate(), bundles=bundles)

    def get_serializer(self, *args, **kwargs):
        if args and self.request is not None and self.request.method == "GET":
            data = args[0]
            bundles = list(data) if isinstance(data, list | tuple) else [data]
            if hasattr(data, "all"):
                bundles = list(data.all())
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["bundle_prices"] = self._with_prices(bundles)
        return super().get_serializer(*args, **kwargs)


class BundlePartViewSet(SamdriftViewSet, mixins.DestroyModelMixin):
    """The parts of bundles (operators write; a part may be removed)."""

    queryset = BundlePart.objects.select_related("bundle", "product", "service")
    serializer_class = BundlePartSerializer
    filterset_fields = ["bundle", "product", "service"]
    ordering_fields = ["id"]

    def perform_destroy(self, instance):
        services.remove_bundle_part(part=instance)


class ApprovalRuleViewSet(SamdriftViewSet):
    """Each municipality's approval rule (its contacts and operators write)."""

    queryset = ApprovalRule.objects.select_related("municipality")
    serializer_class = ApprovalRuleSerializer
    filterset_fields = ["municipality"]
    ordering_fields = ["id"]

    def create(self, request, *args, **kwargs):
        # Operators set a municipality's rule; its contacts change it (PATCH).
        if not request.user.is_operator:
            raise PermissionDenied(_("Only the operator sets up a municipality's rule."))
        return super().create(request, *args, **kwargs)


def register(router) -> None:
    router.register("catalogue-offers", CatalogueOfferViewSet)
    router.register("bundles", BundleViewSet)
    router.register("bundle-parts", BundlePartViewSet)
    router.register("approval-rules", ApprovalRuleViewSet)
