from django.conf import settings


def samdrift(request):
    """Values every page template needs."""
    return {"SAMDRIFT_ENV": settings.SAMDRIFT_ENV, "CURRENCY": settings.CURRENCY}
