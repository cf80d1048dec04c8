"""The dashboard's tests use the UI tests' small world (two municipalities, their people
and devices): the overview and the municipality page count the same rows."""

from tests.ui.conftest import (  # noqa: F401 - fixtures
    contact_a_client,
    contact_a_user,
    fast_password_hashing,
    world,
)
