"""Pages of the service desk: one module per feature, each with its ``urlpatterns``."""
