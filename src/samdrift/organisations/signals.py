"""``persons_changed``: persons of these municipalities were changed in bulk (an import),
past the models' ``post_save``. What is kept about them above (the holdings in force,
``planning.holdings``: a person who left is no longer charged for) listens to it."""

from django.dispatch import Signal

# Sent with ``municipality_ids`` (a set), inside the writing transaction.
persons_changed = Signal()
