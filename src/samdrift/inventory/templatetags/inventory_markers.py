from django import template
from django.utils import timezone

from samdrift.inventory.markers import markers_for

register = template.Library()


@register.simple_tag(takes_context=True)
def asset_markers(context, assets):
    """``{% asset_markers rows as markers %}``: the indicators of a page's assets."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return markers_for(user, assets, timezone.localdate())


@register.filter
def markers_of(markers: dict, asset) -> list:
    return markers.get(asset.pk, [])
