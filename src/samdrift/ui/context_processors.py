from django.conf import settings

from samdrift.ui.navigation import navigation_for


def samdrift(request):
    """Values every page template needs: the environment, the currency and the navigation.

    The navigation is worked out once per request: a page whose parts are templates of
    their own (the municipality page's panels: 14) runs the context processors for each,
    and the navigation's forty-odd URLs were a sixth of that page's CPU time."""
    navigation = getattr(request, "_samdrift_navigation", None)
    if navigation is None:
        navigation = navigation_for(request)
        request._samdrift_navigation = navigation
    return {
        "SAMDRIFT_ENV": settings.SAMDRIFT_ENV,
        "CURRENCY": settings.CURRENCY,
        "navigation": navigation,
    }
