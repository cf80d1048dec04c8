"""Every relational filter is scoped to what the user may see, by construction.

A plain ``ModelChoiceFilter`` lists every municipality's objects in the browsable API's
filter form and answers 200 for a foreign id but 400 for a missing one (an existence
oracle). ``SamdriftFilterSet`` makes the relations of ``Meta.fields`` scoped and refuses
a declared unscoped one when the class is made; this module walks every FilterSet the
project defines or generates to prove none slipped through.
"""

from __future__ import annotations

import django_filters
import pytest
from django.core.exceptions import ImproperlyConfigured

import samdrift.urls  # noqa: F401  (loads every app's API and views, so every FilterSet)
from samdrift.billing.models import Charge, Invoice
from samdrift.core.filtersets import (
    SamdriftFilterSet,
    ScopedFilterBackend,
    ScopedFilterMixin,
    ScopedModelChoiceFilter,
    ScopedModelMultipleChoiceFilter,
)
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality
from samdrift.ui.lists import ObjectListView
from samdrift.urls import router

MODEL_CHOICE = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def project_filtersets() -> dict[str, type]:
    """Every FilterSet class of samdrift: declared ones, those of every list page, and
    those the API generates from a view's ``filterset_fields``."""
    found = {
        f"{cls.__module__}.{cls.__qualname__}": cls
        for cls in _subclasses(django_filters.FilterSet)
        if cls.__module__.startswith("samdrift.")
    }
    backend = ScopedFilterBackend()
    for _prefix, viewset, basename in router.registry:
        filterset = backend.get_filterset_class(viewset(), getattr(viewset, "queryset", None))
        if filterset is not None:
            found[f"api:{basename}"] = filterset
    for view in _subclasses(ObjectListView):
        if getattr(view, "filterset_class", None) is not None:
            found[f"list:{view.__qualname__}"] = view.filterset_class
    return found


FILTERSETS = project_filtersets()


def test_the_walk_finds_the_filtersets():
    names = set(FILTERSETS)
    assert "samdrift.billing.api.filters.ChargeFilterSet" in names
    assert "api:billingrun" in names  # generated from filterset_fields
    assert len(names) >= 25


@pytest.mark.parametrize("name", sorted(FILTERSETS))
def test_every_filterset_scopes_every_relational_filter(name):
    filterset = FILTERSETS[name]
    assert issubclass(filterset, SamdriftFilterSet), f"{name} is not a SamdriftFilterSet"
    unscoped = [
        filter_name
        for filter_name, f in filterset.base_filters.items()
        if isinstance(f, MODEL_CHOICE) and not isinstance(f, ScopedFilterMixin)
    ]
    assert unscoped == []


def test_a_plain_model_choice_filter_is_refused_when_the_class_is_made():
    with pytest.raises(ImproperlyConfigured, match="municipality"):

        class Leaky(SamdriftFilterSet):
            municipality = django_filters.ModelChoiceFilter(queryset=Municipality.objects.all())

            class Meta:
                model = Asset
                fields = ["municipality"]


def test_a_plain_model_multiple_choice_filter_is_refused_too():
    with pytest.raises(ImproperlyConfigured, match="assets"):

        class Leaky(SamdriftFilterSet):
            assets = django_filters.ModelMultipleChoiceFilter(queryset=Asset.objects.all())

            class Meta:
                model = Charge
                fields = []


def test_meta_fields_relations_become_scoped_filters():
    class Generated(SamdriftFilterSet):
        class Meta:
            model = Charge
            fields = ["invoice", "asset", "source"]

    filters = Generated.base_filters
    assert type(filters["invoice"]) is ScopedModelChoiceFilter
    assert filters["invoice"].scoped_model is Invoice
    assert filters["asset"].scoped_model is Asset
    assert not isinstance(filters["source"], MODEL_CHOICE)


def test_a_reverse_relation_becomes_a_scoped_multiple_choice():
    class Generated(SamdriftFilterSet):
        class Meta:
            model = Invoice
            fields = ["charges"]

    assert type(Generated.base_filters["charges"]) is ScopedModelMultipleChoiceFilter
    assert Generated.base_filters["charges"].scoped_model is Charge


def test_a_scoped_filter_takes_no_fixed_queryset():
    with pytest.raises(ImproperlyConfigured, match="queryset"):
        ScopedModelChoiceFilter(model=Asset, queryset=Asset.objects.all())
