from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the ``samdrift demo`` command. The top layer: its steps
    (``generator.STEPS``) write every app's data; no app imports it."""

    name = "samdrift.demo"
    label = "demo"
