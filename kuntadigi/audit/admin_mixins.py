"""Every change made in the administration site lands in the audit trail, with the values before and after.

`AuditedAdmin` goes first in the bases of every ModelAdmin that can change something; it covers adding,
changing and deleting one object, the bulk "delete selected" action, and the rows of inline formsets.
The values are the model's own columns; a password hash is never copied (a password set in the admin is
recorded as admin.password_set by the user admin).
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from . import services

HIDDEN_FIELDS = frozenset({"password"})


def model_values(obj: models.Model) -> dict:
    """The object's columns as JSON values (files by name, foreign keys by id); hidden fields as a mark only."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS:
            values[field.name] = "(hidden)"
            continue
        value = field.value_from_object(obj)
        if isinstance(value, models.fields.files.FieldFile):
            value = value.name or ""
        values[field.attname] = value
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _stored(obj: models.Model) -> dict:
    """The values as they stand in the database (a form has already put the posted values on `obj`)."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    return model_values(stored) if stored is not None else {}


class AuditedAdmin:
    """Records admin.added / admin.changed / admin.deleted (services.record) for the object and its inline
    rows. An admin whose objects have their own words in the trail names them in `audit_actions` and
    gives their values with `audit_values` (the roles in calls do, as on the officials' roles page)."""

    audit_actions = {"added": "admin.added", "changed": "admin.changed", "deleted": "admin.deleted"}

    def audit_values(self, obj) -> dict:
        return model_values(obj)

    def _stored_values(self, obj) -> dict:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
        return self.audit_values(stored) if stored is not None else {}

    def save_model(self, request, obj, form, change):
        before = self._stored_values(obj) if change else {}
        super().save_model(request, obj, form, change)
        action = self.audit_actions["changed" if change else "added"]
        services.record(request.user, action, obj, before=before, after=self.audit_values(obj))

    def delete_model(self, request, obj):
        services.record(request.user, self.audit_actions["deleted"], obj, before=self._stored_values(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        """The "delete selected" action: one event per object."""
        for obj in queryset:
            services.record(request.user, self.audit_actions["deleted"], obj, before=self.audit_values(obj))
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted = [f.instance for f in getattr(formset, "deleted_forms", []) if f.instance.pk is not None]
        changed_before = {f.instance.pk: _stored(f.instance) for f in formset.initial_forms if f.instance.pk is not None and f.has_changed()}
        for obj in deleted:
            services.record(request.user, "admin.deleted", obj, before=_stored(obj))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            services.record(request.user, "admin.added", obj, after=model_values(obj))
        for obj, _fields in formset.changed_objects:
            services.record(request.user, "admin.changed", obj, before=changed_before.get(obj.pk, {}), after=model_values(obj))


class ReadOnlyMixin:
    """Viewable by active system administrators; nobody adds, changes or deletes here."""

    def has_view_permission(self, request, obj=None):
        user = request.user
        return bool(user.is_active and (user.is_staff or user.is_superuser))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
