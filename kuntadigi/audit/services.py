from django.db import models

from .models import AuditEvent


def record(actor, action: str, obj: models.Model, *, application_id: int | None = None, before=None, after=None) -> AuditEvent:
    """Append one event. Call it inside the use case's transaction so that both land or neither."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        application_id=application_id,
        before=before or {},
        after=after or {},
    )
