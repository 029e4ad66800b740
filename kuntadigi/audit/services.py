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


# Someone at the ministry read an application, one of its attachments or one of its documents.
READ = "application.read"


def record_read(user, application, what: str, obj: models.Model | None = None, *, as_official: bool = False, **details) -> AuditEvent | None:
    """Record who read what of the application, and when (`what`: see READ_KINDS; `obj` the attachment,
    version or document read, the application by default). Applicants' own reads are not recorded: a
    reader who acts for one of the application's organisations is skipped, unless the page is an
    officials' page (`as_official`). Reads stay out of the application's timeline (screening.timeline)."""
    from kuntadigi import permissions

    if not getattr(user, "is_authenticated", False):
        return None
    if not as_official and permissions.is_application_member(user, application):
        return None
    return record(user, READ, obj if obj is not None else application, application_id=application.pk, after={"read": what, **details})
