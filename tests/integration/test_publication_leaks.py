"""Nothing that is not public leaks out of the public results: every public page, download and API
operation is fetched over a decided, published call full of things the public must never see, each
carrying a unique marker, and none of the markers may appear anywhere.

What carries a marker: contact persons (name, e-mail, phone), the other free-text sections of a funded
application, its budget lines and the amount it applied for, its attachment, its submitted version,
the grant decision's conditions and reporting duties and the officials' names and titles on it, the
preparer's proposal reason, screening reasons and a supplement request, assessors (name, e-mail),
their scores' justifications and declared ties, the members of the municipalities, a draft, the
applications without a grant (their name, summary, grounds) and an ineligible one, and a second call
whose decisions are signed but whose results are not published.

The pages are found, not listed: every URL of the namespaces `publication` and `data` (with every
combination of the objects above for their parameters, in fi, sv and en) and every path of the API's
OpenAPI document (/api/schema). A page added later is covered without touching this test.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application, Attachment, BudgetLine, Participant, Submission
from kuntadigi.assessment.models import Assignment, Score, Tie
from kuntadigi.calls.models import CallRole, Criterion
from kuntadigi.decisions.models import Decision, Proposal
from kuntadigi.screening.models import Screening, SupplementRequest
from tests import factories
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.django_db

# The amounts that must stay private, in the forms pages and files write them.
APPLIED_FOR = Decimal("98765.43")
BUDGET_LINE = Decimal("87654.32")
PRIVATE_AMOUNTS = ["98765.43", "98765,43", "98\xa0765,43", "98 765,43", "87654.32", "87654,32", "87\xa0654,32", "87 654,32"]


class Markers:
    def __init__(self):
        self.where: dict[str, str] = {}

    def __call__(self, what: str) -> str:
        marker = f"zq{len(self.where):03d}leak{re.sub(r'[^a-z]', '', what.lower())[:12]}"
        self.where[marker] = what
        return marker


def build_leaky_world():
    clock.set_now(factories.DURING_2020 + timedelta(days=90))
    mark = Markers()
    world = published_world(4, n_rejected=3)
    hidden = published_world(2, n_rejected=1, slug="digi-2021", published=False)
    call = world.call

    # A funded application: everything but its public fields carries a marker.
    funded = world.funded[0]
    Application.objects.filter(pk=funded.pk).update(
        contact_name=mark("contact name"),
        contact_email=f"{mark('contact email')}@example.fi",
        contact_phone=mark("contact phone"),
        current_state=mark("current state"),
        objectives=mark("objectives"),
        change_in_ways_of_working=mark("change in ways"),
        rollout_and_spread=mark("rollout"),
        prior_work=mark("prior work"),
        requested_grant=APPLIED_FOR,
    )
    BudgetLine.objects.filter(application=funded).update(description=mark("budget line"), amount=BUDGET_LINE)
    attachment = Attachment(
        application=funded,
        original_name=f"{mark('attachment name')}.pdf",
        description=mark("attachment description"),
        content_type="application/pdf",
        size=9,
        sha256="1" * 64,
        uploaded_by=world.preparer,
    )
    attachment.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    Submission.objects.filter(application=funded).update(content={"contact": {"name": mark("submitted content")}})
    Decision.objects.filter(application=funded).update(
        conditions=mark("grant conditions"),
        reporting=mark("reporting duties"),
        presenter_title=mark("presenter title"),
        decision_maker_title=mark("maker title"),
    )
    Proposal.objects.filter(application=funded).update(reason=mark("proposal reason"))
    for person, what in ((world.preparer, "preparer"), (world.presenter, "presenter"), (world.decision_maker, "decision maker")):
        person.full_name = mark(f"{what} name")
        person.email = f"{mark(f'{what} email')}@vm.fi"
        person.save(update_fields=["full_name", "email"])

    # Screening, a supplement request, assessment.
    for app in world.funded + world.rejected[:2]:
        Screening.objects.create(application=app, outcome="eligible", reason=mark("screening reason"), marked_by=world.preparer)
    ineligible = world.rejected[2]
    Screening.objects.create(application=ineligible, outcome="ineligible", reason=mark("ineligible reason"), marked_by=world.preparer)
    SupplementRequest.objects.create(application=funded, parts=["contact"], message=mark("supplement message"), due_at=clock.now(), requested_by=world.preparer)
    assessor = factories.user(f"{mark('assessor email')}@example.fi", assessor=True, full_name=mark("assessor name"))
    CallRole.objects.create(call=call, user=assessor, role="assessor")
    Tie.objects.create(assessor=assessor, organisation=world.municipalities[5], kind="other", note=mark("tie note"))
    criteria = list(Criterion.objects.filter(call=call))
    for app in world.funded + world.rejected:
        assignment = Assignment.objects.create(application=app, assessor=assessor, assigned_by=world.preparer, submitted_at=clock.now())
        Score.objects.bulk_create(
            [Score(assignment=assignment, criterion=criterion, score=4, justification=mark("score justification")) for criterion in criteria]
        )

    # Applications without a grant, and the ineligible one.
    for app, decision in zip(world.rejected, world.rejected_decisions, strict=True):
        Application.objects.filter(pk=app.pk).update(project_name=mark("rejected name"), summary=mark("rejected summary"))
        Decision.objects.filter(pk=decision.pk).update(grounds=mark("no-grant grounds"))
    Application.objects.filter(pk=ineligible.pk).update(project_name=mark("ineligible name"))

    # A draft that was never submitted, led by a municipality that takes part in nothing public.
    draft_lead = factories.municipality("Luonnoskunta", code="998")
    member = factories.member(draft_lead, f"{mark('member email')}@luonnos.fi", admin=True, full_name=mark("member name"))
    draft = Application.objects.create(
        call=call,
        reference="DIGI-2020-0900",
        lead=draft_lead,
        created_by=member,
        project_name=mark("draft name"),
        summary=mark("draft summary"),
        contact_name=mark("draft contact"),
    )
    Participant.objects.create(application=draft, organisation=draft_lead, role=Participant.Role.LEAD)
    Participant.objects.create(application=draft, organisation=world.municipalities[0], role=Participant.Role.PARTNER)
    assert draft.state == State.DRAFT

    # The call whose results are not published: its grants are not public yet.
    for app in hidden.funded:
        Application.objects.filter(pk=app.pk).update(project_name=mark("unpublished grant"), summary=mark("unpublished summary"))

    # The funded projects' follow-up (publication.followup shows their status, the amount paid and the
    # approved final report's summary): the account, the refusal's reason (the lead's own statement),
    # payment requests, their lines, ledger extracts and reductions' reasons, a stopped payment's reason,
    # reports not approved (and an approved interim report), the approved final report's other parts,
    # reviews' notes and requests for supplement to a report.
    follow_up_leaks(world, mark)

    # A public field, as a control: it must show up, so the pages really do show grants.
    public_name = "Julkinen hanke qzpublicok"
    Application.objects.filter(pk=funded.pk).update(project_name=public_name)

    values = {
        "slug": [call.slug, hidden.call.slug],
        "reference": [funded.reference, world.funded[1].reference, *(a.reference for a in world.rejected), draft.reference, hidden.funded[0].reference],
        "code": sorted({org.municipality_code for org in world.municipalities[:6]} | {draft_lead.municipality_code, "998"}),
        "region": sorted({region.code for region in world.regions}),
    }
    return mark, values, public_name


def follow_up_leaks(world, mark) -> None:
    from kuntadigi.payments.models import CostLine, LedgerExtract, PaymentBatch
    from kuntadigi.projects.lifecycle import State as ProjectState
    from kuntadigi.reports.lifecycle import State as ReportState
    from kuntadigi.reports.models import Report, ReportReview, ReportVersion
    from kuntadigi.reports.models import SupplementRequest as ReportSupplement
    from tests.integration import followup_support as follow

    by = world.preparer
    running, refused, settled = (follow.project_for(decision, state=ProjectState.RUNNING) for decision in world.decisions[:3])
    follow.set_state(running, ProjectState.RUNNING, iban=mark("iban"), bic=mark("bc"))
    follow.set_state(refused, ProjectState.REFUSED, refusal_reason=mark("refusal reason"))
    follow.set_state(settled, ProjectState.SETTLED)
    request = follow.payment_request(running, clock.now(), by=by)
    CostLine.objects.create(
        request=request,
        organisation=running.application.lead,
        category=BudgetLine.objects.filter(application=running.application).first().category,
        description=mark("cost line"),
        amount=Decimal("1000.00"),
        accepted=Decimal("900.00"),
        reduction_reason=mark("reduction reason"),
    )
    extract = LedgerExtract(
        request=request,
        organisation=running.application.lead,
        original_name=f"{mark('ledger extract')}.pdf",
        content_type="application/pdf",
        size=9,
        sha256="3" * 64,
        uploaded_by=by,
    )
    extract.file.save("ledger.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    extract.save()
    paid = follow.payment(running, "700.00", by=by)
    paid.stop_reason = mark("stop reason")
    paid.save(update_fields=["stop_reason"])
    follow.payment(running, "300.00", by=by, batch_state=PaymentBatch.State.EXPORTED)
    final = follow.report(
        running,
        running.costs_until,
        state=ReportState.APPROVED,
        content={
            "summary_fi": "Julkinen loppuraportin tiivistelmä",
            "improvement": mark("report improvement"),
            "indicators": [mark("indicator")],
        },
    )
    version = ReportVersion.objects.create(report=final, number=1, content={"improvement": mark("report version")}, submitted_by=by)
    ReportReview.objects.create(report=final, part="substantive", version=version, outcome="supplement", notes=mark("review notes"), reviewed_by=by)
    ReportSupplement.objects.create(report=final, part="financial", message=mark("report supplement"), due_date=clock.now().date(), requested_by=by)
    follow.report(running, running.costs_from, kind=Report.Kind.INTERIM, state=ReportState.APPROVED, content={"summary_fi": mark("interim summary")})
    follow.report(settled, settled.costs_until, state=ReportState.SUBMITTED, content={"summary_fi": mark("unapproved summary")})


def pools(values: dict) -> dict[str, list[str]]:
    """Values to try for a URL parameter, by its name; a name not known here gets every value."""
    every = sorted({value for pool in values.values() for value in pool})
    return {
        "slug": values["slug"],
        "call_slug": values["slug"],
        "reference": values["reference"],
        "code": values["code"],
        "municipality_code": values["code"],
        "region": values["region"],
        "region_code": values["region"],
        "*": every,
    }


def named_patterns(namespace: str) -> list[tuple[str, list[str]]]:
    """(URL name, its parameter names) for every URL of the namespace."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]

    def walk(patterns, ns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{ns}:{pattern.namespace}" if pattern.namespace else ns
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                params = list(getattr(pattern.pattern, "converters", {}) or {}) or list(pattern.pattern.regex.groupindex)
                yield f"{ns}:{pattern.name}", params

    return list(walk(resolver.url_patterns, namespace))


def urls_of(namespace: str, values: dict, languages=("fi", "sv", "en")) -> list[str]:
    pool = pools(values)
    urls = []
    for name, params in named_patterns(namespace):
        choices = [pool.get(param, pool["*"]) for param in params]
        for lang in languages:
            with translation.override(lang):
                for combination in itertools.product(*choices):
                    try:
                        urls.append(reverse(name, kwargs=dict(zip(params, combination, strict=True))))
                    except NoReverseMatch:
                        continue
    return sorted(set(urls))


def with_filters(urls: list[str], values: dict) -> list[str]:
    """The lists again, narrowed to each call, municipality and region, sorted and searched."""
    extra = []
    for url in urls:
        for slug in values["slug"]:
            extra += [f"{url}?call={slug}", f"{url}?area={slug}-1&sort=amount"]
        extra += [f"{url}?municipality={values['code'][0]}", f"{url}?region={values['region'][0]}", f"{url}?q=a&sort=lead"]
    return extra


def api_urls(client: Client, values: dict) -> list[str]:
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    pool = pools(values)
    urls = []
    for path in json.loads(schema.content)["paths"]:
        params = re.findall(r"{(\w+)}", path)
        if not params:
            urls.append(path)
            urls += [f"{path}?call={slug}" for slug in values["slug"]]
            urls += [f"{path}?municipality={code}" for code in values["code"][:2]]
            continue
        for combination in itertools.product(*(pool.get(param, pool["*"]) for param in params)):
            filled = path
            for param, value in zip(params, combination, strict=True):
                filled = filled.replace("{" + param + "}", value)
            urls.append(filled)
    return urls


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":  # a spreadsheet: read every part of it
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"\n".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", errors="replace")


def test_no_private_data_on_any_public_page_download_or_api(client):
    mark, values, public_name = build_leaky_world()
    pages = urls_of("publication", values)
    downloads = urls_of("data", values, languages=("fi",))
    plain_lists = [url for url in pages if "?" not in url and not any(v in url for pool in values.values() for v in pool)]
    fetched = [*pages, *with_filters(plain_lists, values), *downloads, *api_urls(client, values)]
    assert len(fetched) > 50

    leaks, statuses, shown_public = [], {}, 0
    for url in fetched:
        response = client.get(url)
        statuses[url] = response.status_code
        content = body(response)
        shown_public += public_name in content
        found = [mark.where[m] for m in mark.where if m in content]
        found += [f"private amount {amount}" for amount in PRIVATE_AMOUNTS if amount in content]
        if found:
            leaks.append(f"{url}: {', '.join(sorted(set(found)))}")
    assert not leaks, "Private data on public pages:\n" + "\n".join(leaks)
    assert not [url for url, status in statuses.items() if status >= 500], statuses
    # The control: the public grant is shown by the results pages, the downloads and the API.
    assert shown_public >= 10
    for url in (reverse("publication:call", args=[values["slug"][0]]), reverse("publication:project", args=[values["reference"][0]])):
        assert statuses.get(url) == 200 or statuses.get(url.replace("/en/", "/fi/")) == 200
    for url in downloads:
        if values["slug"][1] in url:  # the unpublished call's files do not exist
            assert statuses[url] == 404, url
