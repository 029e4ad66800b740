"""Carry a decided call's funded projects on after the grant decisions, through the real services:
`manage.py carry_projects --call digi-2019-2 --through accepted|paid|reported|settled` (kuntadigi/demo/projects_path.py says
what each stage does). The clock moves to each step's plausible moment and back afterwards."""

from __future__ import annotations

import logging
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.calls.models import Call
from kuntadigi.demo.projects_path import ProjectsPath
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject


class Command(BaseCommand):
    help = "Carry a decided call's funded projects on (accepted, paid, reported, settled) through the real services, at plausible dates (fictional data)."

    def add_arguments(self, parser):
        parser.add_argument("--call", default="digi-2019-2", help="The call's identifier (slug).")
        parser.add_argument("--seed", type=int, default=2019, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--through", choices=ProjectsPath.STAGES, default=ProjectsPath.STAGES[-1], help="How far to carry the projects.")
        parser.add_argument("--if-new", action="store_true", help="Do nothing when a project of the call has already moved on (for make run).")
        parser.add_argument("--send-mail", action="store_true", help="Send the e-mail messages (by default they are dropped: the people are fictional).")

    def handle(self, *args, call: str, seed: int, through: str, if_new: bool, send_mail: bool, **options):
        the_call = Call.objects.filter(slug=call).first()
        if the_call is None:
            raise CommandError(f"No call '{call}'. Load the calls first: `python manage.py load_calls`.")
        projects = FundedProject.objects.filter(application__call=the_call)
        if not projects.exists():
            raise CommandError(f"{call} has no funded projects: decide it first (generate_applications --through decided) and run create_funded_projects.")
        if if_new and projects.exclude(state=State.GRANTED).exists():
            self.stdout.write(f"{call}: its projects have moved on already; nothing carried.")
            return
        email_backend = settings.EMAIL_BACKEND
        if not send_mail:
            settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        saved_clock = clock.now() if clock.is_set() else None
        quiet = options.get("verbosity", 1) < 2
        if quiet:
            logging.disable(logging.INFO)
        try:
            with transaction.atomic():  # all or nothing, so that --if-new never skips a half-carried call
                ProjectsPath(the_call, random.Random(f"{seed}-projects"), say=self.stdout.write).run(through)  # noqa: S311 (demo data)
        except Refused as refused:
            raise CommandError(f"{call}: the projects' path stopped: {refused.message}") from refused
        finally:
            if quiet:
                logging.disable(logging.NOTSET)
            settings.EMAIL_BACKEND = email_backend
            if saved_clock:
                clock.set_now(saved_clock, frozen=False)
            else:
                clock.reset()
        states = {state: projects.filter(state=state).count() for state in State.values}
        self.stdout.write(f"{call}: carried through {through}: " + ", ".join(f"{n} {state}" for state, n in states.items() if n))
