"""A mapping changed or deleted by an operator (admin, shell, import) takes effect at once
for the logins whose last sign-on had its group (``services.reapply_mapping``)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from samdrift.accounts import services
from samdrift.accounts.models import SignOnMapping


@receiver(pre_save, sender=SignOnMapping)
def mapping_saving(sender, instance: SignOnMapping, **kwargs) -> None:
    # A renamed value concerns the logins of the old value too (they lose this grant);
    # read from the database, as the instance may not have been loaded from it.
    instance._stored_value = (
        SignOnMapping.objects.filter(pk=instance.pk).values_list("value", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=SignOnMapping)
def mapping_saved(sender, instance: SignOnMapping, created: bool, **kwargs) -> None:
    for value in {instance.value, getattr(instance, "_stored_value", None)} - {None}:
        services.reapply_mapping(value=value)


@receiver(post_delete, sender=SignOnMapping)
def mapping_deleted(sender, instance: SignOnMapping, **kwargs) -> None:
    services.reapply_mapping(value=instance.value)
