"""Realistic demo data: the fictional region "Fjordregionen IKT" and its members.

``generate(size=..., seed=...)`` fills an empty database, deterministically from the seed:
a collaboration, municipalities of very different sizes with service areas, sites and
people, a catalogue with three years of prices, assets with three years of assignment
history, subscriptions, monthly usage, and one login per role. ``samdrift demo`` wipes the
database first and prints the logins.

Layout: ``generator.py`` runs ``STEPS`` in order (and says how to add a step for another
app); ``context.py`` holds the sizes and what steps share; one module per step
(``organisations``, ``catalogue``, ``people``, ``inventory``, ``subscriptions``, ``usage``,
``buyouts``, ``servicedesk``, ``logins``, ``ordering``, ``planning``, ``billing``,
``solutions``, ``gains``);
``bulk.py`` the fast inserts; ``database.py`` the wipe; ``names.py`` the names;
``management/commands/demo.py`` the ``samdrift demo`` command.
"""
