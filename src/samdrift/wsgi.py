"""WSGI entry point for gunicorn: ``gunicorn samdrift.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
application = get_wsgi_application()
