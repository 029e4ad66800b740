"""The publication of a call's results: once an official publishes them, the funded projects, the
statistics, the map and the open data of the call are public."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.calls.models import Call


class ResultsPublication(models.Model):
    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="results_publication")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published"), default=clock.now)

    class Meta:
        verbose_name = _("publication of results")
        verbose_name_plural = _("publications of results")

    def __str__(self) -> str:
        return f"{self.call.slug}: {self.published_at:%Y-%m-%d}"
