"""Deployment checks (`manage.py check --deploy`, run by bin/serve-production before it starts)."""

from django.conf import settings
from django.core import checks

from kuntadigi.core import virus_scan


@checks.register(checks.Tags.security, deploy=True)
def clamd_answers(app_configs, **kwargs):
    """Uploads are refused while clamd does not answer: say so at start, not at the first upload."""
    if not settings.KUNTADIGI_VIRUS_SCAN or virus_scan.ping():
        return []
    return [
        checks.Warning(
            f"clamd does not answer on {settings.CLAMD_SOCKET}: every upload will be refused until it does.",
            hint="Start clamav-daemon (it needs the signatures freshclam downloads) or set CLAMD_SOCKET (docs/uploads.md).",
            id="kuntadigi.W001",
        )
    ]
