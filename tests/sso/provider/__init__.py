"""A real OpenID Connect provider for the single sign-on tests: a second Django project
(django-oauth-toolkit with OIDC on) run in its own process by ``serve.py``. Not part of
Samdrift; it plays the municipality's identity provider."""
