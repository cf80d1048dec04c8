from django.conf import settings

from samdrift.ui.navigation import navigation_for


def samdrift(request):
    """Values every page template needs: the environment, the currency and the navigation."""
    return {
        "SAMDRIFT_ENV": settings.SAMDRIFT_ENV,
        "CURRENCY": settings.CURRENCY,
        "navigation": navigation_for(request),
    }
