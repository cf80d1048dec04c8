"""REST endpoints for the collaboration, municipalities and their contacts, service areas,
locations, persons."""

from rest_framework import mixins, serializers, viewsets

from samdrift.core.api import (
    ChangeLogMixin,
    RestrictedQuerysetMixin,
    SamdriftModelSerializer,
    SamdriftViewSet,
)
from samdrift.organisations.filtersets import (
    LocationFilterSet,
    MunicipalityContactFilterSet,
    MunicipalityFilterSet,
    PersonFilterSet,
    ServiceAreaFilterSet,
)
from samdrift.organisations.models import (
    Collaboration,
    Location,
    Municipality,
    MunicipalityContact,
    Person,
    ServiceArea,
)
from samdrift.organisations.services import (
    save_collaboration,
    save_location,
    save_municipality,
    save_municipality_contact,
    save_person,
    save_service_area,
)


class CollaborationSerializer(SamdriftModelSerializer):
    class Meta:
        model = Collaboration
        fields = [
            "id",
            "name",
            "organisation_number",
            "vat_registered",
            "bank_account",
            "invoice_series",
            "currency",
            "time_zone",
            "street",
            "postal_code",
            "city",
            "email",
            "payment_terms_days",
            "created",
            "last_updated",
        ]
        read_only_fields = ["currency", "time_zone", "created", "last_updated"]

    def create(self, validated_data):
        return save_collaboration(collaboration=Collaboration(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_collaboration(collaboration=instance, changes=validated_data)


class MunicipalitySerializer(SamdriftModelSerializer):
    class Meta:
        model = Municipality
        fields = [
            "id",
            "name",
            "number",
            "organisation_number",
            "population",
            "population_date",
            "peppol_endpoint",
            "invoice_reference",
            "joined_on",
            "street",
            "postal_code",
            "city",
            "contact_email",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_municipality(municipality=Municipality(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_municipality(municipality=instance, changes=validated_data)


class ServiceAreaSerializer(SamdriftModelSerializer):
    class Meta:
        model = ServiceArea
        fields = [
            "id",
            "municipality",
            "name",
            "kind",
            "cost_centre",
            "active",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_service_area(service_area=ServiceArea(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_service_area(service_area=instance, changes=validated_data)


class MunicipalityContactSerializer(SamdriftModelSerializer):
    class Meta:
        model = MunicipalityContact
        fields = [
            "id",
            "municipality",
            "name",
            "function",
            "email",
            "phone",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_municipality_contact(contact=MunicipalityContact(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_municipality_contact(contact=instance, changes=validated_data)


class LocationSerializer(SamdriftModelSerializer):
    class Meta:
        model = Location
        fields = [
            "id",
            "municipality",
            "name",
            "kind",
            "street",
            "postal_code",
            "city",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_location(location=Location(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_location(location=instance, changes=validated_data)


class PersonSerializer(SamdriftModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "municipality",
            "service_area",
            "location",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "kind",
            "employee_number",
            "active_from",
            "active_to",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return save_person(person=Person(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_person(person=instance, changes=validated_data)


class CollaborationViewSet(
    RestrictedQuerysetMixin,
    ChangeLogMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """The collaboration itself: one per install, made by ``samdrift init``; read and
    update only."""

    queryset = Collaboration.objects.all()
    serializer_class = CollaborationSerializer
    filterset_class = None


class MunicipalityViewSet(SamdriftViewSet):
    queryset = Municipality.objects.all()
    serializer_class = MunicipalitySerializer
    filterset_class = MunicipalityFilterSet
    ordering_fields = ["number", "name", "population", "joined_on"]


class ServiceAreaViewSet(SamdriftViewSet):
    queryset = ServiceArea.objects.select_related("municipality")
    serializer_class = ServiceAreaSerializer
    filterset_class = ServiceAreaFilterSet
    ordering_fields = ["name", "cost_centre", "municipality__number"]


class MunicipalityContactViewSet(SamdriftViewSet):
    """Whom the collaboration deals with at each municipality; its own users read theirs."""

    queryset = MunicipalityContact.objects.all()
    serializer_class = MunicipalityContactSerializer
    filterset_class = MunicipalityContactFilterSet
    ordering_fields = ["name", "function", "municipality__number"]


class LocationViewSet(SamdriftViewSet):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_class = LocationFilterSet
    ordering_fields = ["name", "municipality__number"]


class PersonViewSet(SamdriftViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["username", "last_name", "first_name", "active_from", "active_to"]


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("collaboration", CollaborationViewSet)
    router.register("municipalities", MunicipalityViewSet)
    router.register("municipality-contacts", MunicipalityContactViewSet)
    router.register("service-areas", ServiceAreaViewSet)
    router.register("locations", LocationViewSet)
    router.register("persons", PersonViewSet)
