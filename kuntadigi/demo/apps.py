from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and bulk data generators: tools, not domain. They make fictional data through the real
    services (demo_setup, generate_applications, generate_bulk); no domain app imports them."""

    name = "kuntadigi.demo"
    label = "demo"
    verbose_name = _("Demo data")
