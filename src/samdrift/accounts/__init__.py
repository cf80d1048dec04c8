"""Signing in: the login page, password sign-in and its break-glass rule, and single
sign-on through the municipality's OpenID Connect provider (docs/operations.md)."""
