"""Core models. Only the load benchmark's table lives here: the domain has its own apps."""

from django.db import models
from django.utils import timezone


class BenchInsert(models.Model):
    """One row per request to the load benchmark's bare view (bench/deadline_rush.py): the ceiling
    that any request which writes one row can reach on the same server and database. The view is
    routed only with KUNTADIGI_BENCH_VIEWS=1, so a production database keeps this table empty."""

    created_at = models.DateTimeField(default=timezone.now)
    payload = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"bench insert {self.pk}"
