"""Demo step "logins": one login per role, so every view of the app can be tried.

``admin`` (operator), ``finance``, ``auditor`` (read-only, all municipalities), one
municipality contact per member (``contact-<municipality>``) and a service-area manager
for the largest member's education (``manager-<municipality>``); plus an API token for
``admin``; and the single sign-on mappings an operator would set up (one group per role and
member, fictional group names), shown in the admin. All share one password, given or
random, printed by ``samdrift demo``: hashing is deliberately slow (about half a second
each), so it is hashed once.

Demo mode is the only mode that creates logins by itself; this step refuses to run in
production (as does ``generate``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured

from samdrift.accounts.models import SignOnMapping
from samdrift.core.choices import Role
from samdrift.core.models import User
from samdrift.core.tokens import issue
from samdrift.demo.context import DemoContext
from samdrift.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, ascii_slug


def generate(ctx: DemoContext) -> None:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo logins are never created in production.")
    rng = ctx.rng("logins")
    password_hash = make_password(ctx.password)

    def name() -> tuple[str, str]:
        first_names = FEMALE_FIRST_NAMES if rng.random() < 0.5 else MALE_FIRST_NAMES
        return rng.choice(first_names), rng.choice(LAST_NAMES)

    def login(username: str, role: str, scope: str, **fields) -> User:
        first, last = name()
        ctx.logins.append({"username": username, "role": str(Role(role).label), "scope": scope})
        return User(
            username=username,
            password=password_hash,
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@fjordregionen-ikt.no",
            **fields,
        )

    users = [
        login("admin", Role.OPERATOR, "everything", is_staff=True, is_superuser=True),
        login("finance", Role.FINANCE, "prices, billing, invoices"),
        login("auditor", Role.READ_ONLY, "reads everything, changes nothing"),
    ]
    for municipality in ctx.municipalities:
        users.append(
            login(
                f"contact-{ascii_slug(municipality.name)}",
                Role.MUNICIPALITY,
                municipality.name,
                municipality=municipality,
            )
        )
    largest = max(ctx.municipalities, key=lambda m: (m.population, m.number))
    education = ctx.service_areas[largest.pk]["education"]
    users.append(
        login(
            f"manager-{ascii_slug(largest.name)}",
            Role.SERVICE_AREA,
            f"{largest.name}: {education.name}",
            municipality=largest,
            service_area=education,
        )
    )
    User.objects.bulk_create(users)
    admin = User.objects.get(username="admin")
    ctx.api_token = issue(admin, "demo")[1]
    ctx.counts[User._meta.label] += len(users)
    _sign_on_mappings(ctx, largest, education)


def _sign_on_mappings(ctx: DemoContext, largest, education) -> None:
    """The groups of a fictional Entra ID tenant mapped to roles: what an operator enters
    before turning single sign-on on (docs/operations.md, *Single sign-on*)."""
    mappings = [
        SignOnMapping(value="sg-samdrift-drift", description="IKT-drift", role=Role.OPERATOR),
        SignOnMapping(value="sg-samdrift-okonomi", description="Økonomi", role=Role.FINANCE),
    ]
    for municipality in ctx.municipalities:
        mappings.append(
            SignOnMapping(
                value=f"sg-samdrift-{ascii_slug(municipality.name)}",
                description=f"{municipality.name}: kommunekontakter",
                role=Role.MUNICIPALITY,
                municipality=municipality,
            )
        )
    mappings.append(
        SignOnMapping(
            value=f"sg-samdrift-{ascii_slug(largest.name)}-oppvekst",
            description=f"{largest.name}: {education.name}",
            role=Role.SERVICE_AREA,
            municipality=largest,
            service_area=education,
        )
    )
    SignOnMapping.objects.bulk_create(mappings)
    ctx.counts[SignOnMapping._meta.label] += len(mappings)
