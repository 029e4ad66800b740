"""The shapes of the open data API: every field and parameter carries its published description.

The OpenAPI document at /api/schema is generated from these classes, so a description written here is
the one the public reads. Money is a decimal string in euros (never a float), dates are ISO 8601.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator

# ── Value types ──────────────────────────────────────────────────────────────

MONEY_PATTERN = r"^[0-9]+\.[0-9]{2}$"
SHARE_PATTERN = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"


def money_text(value: Decimal | str) -> str:
    """Euros with two decimals, as text: 12750.00."""
    return f"{Decimal(value):.2f}"


def share_text(value: Decimal | str) -> str:
    """A fraction between 0 and 1 without trailing zeros, as text: 0.85."""
    text = format(Decimal(value).quantize(Decimal("0.0001")).normalize(), "f")
    return text


Money = Annotated[str, BeforeValidator(money_text)]
Share = Annotated[str, BeforeValidator(share_text)]
Currency = Literal["EUR"]

CALL_ID = r"^[-a-zA-Z0-9_]+$"
GRANT_ID = r"^[-A-Za-z0-9_]+$"
MUNICIPALITY_CODE = r"^[0-9]{3}$"
REGION_CODE = r"^[0-9]{2}$"
BUSINESS_ID = r"^[0-9]{7}-[0-9]$"
TARGET_AREA_ID = r"^[-a-zA-Z0-9_]+-[0-9]{1,4}$"
ORGANISATION_ID = r"^([0-9]{3}|[0-9]{7}-[0-9])$"


def money(description: str) -> Money:
    return Field(..., description=f"{description} Euros as a decimal string with two decimals (never a number).", pattern=MONEY_PATTERN, examples=["12750.00"])


# ── Errors ───────────────────────────────────────────────────────────────────


class NotFound(Schema):
    detail: str = Field(..., description="Why nothing was found: the identifier names nothing public.")


class Problem(Schema):
    type: str = Field(..., description="The kind of problem, e.g. `string_pattern_mismatch` or `less_than_equal`.")
    loc: list[str | int] = Field(..., description="Where the problem is: `query` or `path`, then the parameter's name.")
    msg: str = Field(..., description="What is wrong, in English.")
    ctx: dict | None = Field(None, description="Details of the rule that was broken (e.g. the pattern or the limit).")


class Invalid(Schema):
    detail: list[Problem] = Field(..., description="Every parameter that is not valid, and why.")


# ── Organisations ────────────────────────────────────────────────────────────


class OrganisationRef(Schema):
    id: str = Field(
        ...,
        description=(
            "Stable identifier: the Statistics Finland municipality code of a municipality (e.g. `638`), "
            "the business ID of a joint municipal authority (e.g. `0201256-6`)."
        ),
        examples=["638"],
    )
    kind: Literal["municipality", "joint_authority"] = Field(..., description="`municipality` or `joint_authority` (a joint municipal authority).")
    municipality_code: str | None = Field(
        ..., description="Statistics Finland municipality code (three digits); null for a joint authority.", pattern=MUNICIPALITY_CODE
    )
    business_id: str | None = Field(..., description="Business ID (Y-tunnus) in the form 1234567-8, where the registry knows it.", pattern=BUSINESS_ID)
    name_fi: str = Field(..., description="Name in Finnish.")
    name_sv: str = Field(..., description="Name in Swedish.")
    region_code: str | None = Field(..., description="Code of the region (maakunta) the organisation belongs to; null when not known.", pattern=REGION_CODE)
    population: int | None = Field(..., description="Population, as Statistics Finland published it for `population_year`.")
    population_year: int | None = Field(..., description="The year of the population figure.")
    api_url: str = Field(..., description="Address of the organisation in this API.")


class Predecessor(Schema):
    id: str = Field(..., description="Stable identifier of the merged organisation: its municipality code (or business ID).", examples=["099"])
    municipality_code: str | None = Field(..., description="Statistics Finland municipality code of the merged municipality.", pattern=MUNICIPALITY_CODE)
    business_id: str | None = Field(..., description="Business ID (Y-tunnus) of the merged organisation, where the registry knows it.", pattern=BUSINESS_ID)
    name_fi: str = Field(..., description="Name in Finnish.")
    name_sv: str = Field(..., description="Name in Swedish.")
    valid_until: datetime.date = Field(..., description="The merged organisation's last day (ISO 8601); its successor is the party from the next day on.")
    api_url: str = Field(..., description="Address of the merged organisation in this API.")


class Party(OrganisationRef):
    predecessor: Predecessor | None = Field(
        ...,
        description=(
            "The organisation that applied, when it has since merged into this one (e.g. Honkajoki into Kankaanpää on 1.1.2021): "
            "from the merger on, the successor is the party. Null when the organisation that applied is still the party."
        ),
    )


class GrantOfOrganisation(Schema):
    id: str = Field(..., description="The grant's identifier: its application's reference.")
    call: str = Field(..., description="Identifier of the call.")
    project_name: str = Field(..., description="Name of the project.")
    role: Literal["lead", "partner"] = Field(..., description="`lead` (the lead applicant that receives the grant) or `partner`.")
    amount_granted: Money = money("The grant at most.")
    currency: Currency = Field(..., description="Always `EUR`.")
    fictional: bool = Field(..., description="True when the grant is generated demo data, not a real decision.")
    api_url: str = Field(..., description="Address of the grant in this API.")
    html_url: str = Field(..., description="Address of the project's public page.")


class Organisation(OrganisationRef):
    region_name_fi: str | None = Field(..., description="Name of the region in Finnish.")
    region_name_sv: str | None = Field(..., description="Name of the region in Swedish.")
    region_name_en: str | None = Field(..., description="Name of the region in English.")
    grants_count: int = Field(..., description="How many published grants the organisation takes part in, as lead or partner.", ge=0)
    grants_url: str = Field(..., description="Address of the list of those grants in this API.")


class OrganisationDetail(Organisation):
    grants: list[GrantOfOrganisation] = Field(
        ...,
        description="The published grants the organisation takes part in, by call and reference, also as the successor of a municipality merged into it.",
    )


class OrganisationFilters(Schema):
    region: str | None = Field(
        None, description="Only organisations of this region, by its code (two digits, e.g. `01` for Uusimaa).", pattern=REGION_CODE, examples=["01"]
    )
    kind: Literal["municipality", "joint_authority"] | None = Field(None, description="Only organisations of this kind.")
    taking_part: bool | None = Field(
        None, description="`true`: only organisations that take part in at least one published grant; `false`: only those that take part in none."
    )


# ── Regions ──────────────────────────────────────────────────────────────────


class Region(Schema):
    id: str = Field(..., description="Stable identifier of the region (maakunta): its code, two digits.", pattern=REGION_CODE, examples=["01"])
    name_fi: str = Field(..., description="Name in Finnish.")
    name_sv: str = Field(..., description="Name in Swedish.")
    name_en: str = Field(..., description="Name in English.")
    organisations_count: int = Field(..., description="How many organisations of the registry belong to the region.", ge=0)
    grants_count: int = Field(..., description="How many published grants an organisation of the region takes part in (lead or partner).", ge=0)
    api_url: str = Field(..., description="Address of the region in this API.")
    organisations_url: str = Field(..., description="Address of the region's organisations in this API.")
    grants_url: str = Field(..., description="Address of the region's grants in this API.")


# ── Grants ───────────────────────────────────────────────────────────────────


class TargetArea(Schema):
    id: str = Field(..., description='Stable identifier of the target area: "<call id>-<number>", e.g. `digi-2020-3`.', examples=["digi-2020-3"])
    number: int = Field(..., description="The target area's number in the call.", ge=0)
    name_fi: str = Field(..., description="Name in Finnish.")
    name_sv: str = Field(..., description="Name in Swedish.")
    name_en: str = Field(..., description="Name in English.")


class Grant(Schema):
    id: str = Field(..., description="Stable identifier of the grant: the reference of the application it was granted on.", examples=["DIGI-2020-0001"])
    call: str = Field(..., description="Identifier of the call.", examples=["digi-2020"])
    call_title_fi: str = Field(..., description="Title of the call in Finnish.")
    call_title_sv: str = Field(..., description="Title of the call in Swedish.")
    call_title_en: str = Field(..., description="Title of the call in English.")
    project_name: str = Field(..., description="Name of the project, as the applicant wrote it.")
    summary: str = Field(..., description="Summary of the project, as the applicant wrote it.")
    language: Literal["fi", "sv"] = Field(..., description="Language of the application and of the decision: `fi` or `sv`.")
    lead: Party = Field(..., description="The lead applicant, which receives the grant (its successor after a merger).")
    partners: list[Party] = Field(..., description="The other organisations taking part (each its successor after a merger).")
    target_areas: list[TargetArea] = Field(..., description="The call's target areas the project addresses.")
    amount_granted: Money = money("The grant at most (the decision pays this share of the eligible costs, up to this sum).")
    max_share: Share = Field(
        ...,
        description="The largest share of the eligible costs the grant pays, as a decimal string between 0 and 1 (e.g. `0.85` is 85 %).",
        pattern=SHARE_PATTERN,
        examples=["0.85"],
    )
    currency: Currency = Field(..., description="Currency of the amounts: always `EUR`.")
    decision_date: datetime.date | None = Field(..., description="Date of the decision (ISO 8601).")
    costs_from: datetime.date | None = Field(..., description="Costs are eligible from this date (ISO 8601).")
    costs_until: datetime.date | None = Field(..., description="Costs are eligible until this date (ISO 8601).")
    project_start: datetime.date | None = Field(..., description="Planned start of the project (ISO 8601).")
    project_end: datetime.date | None = Field(..., description="Planned end of the project (ISO 8601).")
    fictional: bool = Field(..., description="True when the grant is generated demo data, not a real decision.")
    status: Literal["running", "completed", "refused"] = Field(
        ..., description="The project's status: `running`, `completed` (settled or closed) or `refused` (the recipient refused the grant)."
    )
    amount_paid: Money | None = Field(
        ...,
        description="The euros paid to the project so far (payments in batches marked paid), a decimal string with two decimals; null for a refused grant.",
        pattern=MONEY_PATTERN,
        examples=["8925.00"],
    )
    final_summary_fi: str = Field(..., description="The public summary of the approved final report in Finnish; empty until the report is approved.")
    final_summary_sv: str = Field(..., description="The same summary in Swedish; empty when not given.")
    final_summary_en: str = Field(..., description="The same summary in English; empty when not given.")
    api_url: str = Field(..., description="Address of this grant in this API.")
    html_url: str = Field(..., description="Address of the project's public page.")


class GrantFilters(Schema):
    call: str | None = Field(None, description="Only grants of this call, by its identifier.", pattern=CALL_ID, max_length=50, examples=["digi-2020"])
    municipality: str | None = Field(
        None,
        description="Only grants in which this municipality takes part (lead or partner), by its municipality code.",
        pattern=MUNICIPALITY_CODE,
        examples=["638"],
    )
    region: str | None = Field(
        None, description="Only grants in which an organisation of this region takes part, by the region's code.", pattern=REGION_CODE, examples=["01"]
    )
    target_area: str | None = Field(
        None,
        description='Only grants addressing this target area, by its identifier "<call id>-<number>".',
        pattern=TARGET_AREA_ID,
        max_length=60,
        examples=["digi-2020-3"],
    )
    organisation: str | None = Field(
        None,
        description="Only grants in which this organisation takes part (lead or partner), by its identifier (municipality code or business ID).",
        pattern=ORGANISATION_ID,
        examples=["638"],
    )


# ── Calls ────────────────────────────────────────────────────────────────────


class Totals(Schema):
    received: int = Field(..., description="Applications received in the call (submitted, whatever happened to them since).", ge=0)
    funded: int = Field(..., description="Applications granted funding.", ge=0)
    granted: Money = money("The sum of the grants (each a maximum).")
    share_of_appropriation: Share = Field(
        ..., description="The granted sum as a share of the appropriation, as a decimal string between 0 and 1.", pattern=SHARE_PATTERN, examples=["0.9731"]
    )
    currency: Currency = Field(..., description="Always `EUR`.")


class Call(Schema):
    id: str = Field(..., description="Stable identifier of the call (the last part of its address).", examples=["digi-2020"])
    title_fi: str = Field(..., description="Title in Finnish.")
    title_sv: str = Field(..., description="Title in Swedish.")
    title_en: str = Field(..., description="Title in English.")
    funder_fi: str = Field(..., description="The funder, in Finnish.")
    funder_sv: str = Field(..., description="The funder, in Swedish.")
    funder_en: str = Field(..., description="The funder, in English.")
    appropriation: Money = money("The appropriation of the call.")
    currency: Currency = Field(..., description="Always `EUR`.")
    opens_at: datetime.datetime = Field(..., description="When the call opened (ISO 8601, with the UTC offset).")
    closes_at: datetime.datetime = Field(..., description="When the call closed (ISO 8601, with the UTC offset).")
    results_published: bool = Field(..., description="True once an official has published the call's results; only then are its grants and totals public.")
    results_published_at: datetime.datetime | None = Field(..., description="When the results were published (ISO 8601); null before.")
    totals: Totals | None = Field(..., description="The call's headline figures; null until the results are published.")
    fictional: bool = Field(..., description="True when the call's applications and decisions are generated demo data.")
    api_url: str = Field(..., description="Address of the call in this API.")
    html_url: str = Field(..., description="Address of the call's public page.")
    grants_url: str | None = Field(..., description="Address of the call's grants in this API; null until the results are published.")


class CallDetail(Call):
    target_areas: list[TargetArea] = Field(..., description="The call's target areas.")


# ── The API's entry point ───────────────────────────────────────────────────


class Index(Schema):
    title: str = Field(..., description="Name of the API.")
    licence: str = Field(..., description="Licence of the data.")
    licence_url: str = Field(..., description="Address of the licence.")
    schema_url: str = Field(..., description="Address of the OpenAPI document that describes every field.")
    calls_url: str = Field(..., description="Address of the list of calls.")
    grants_url: str = Field(..., description="Address of the list of grants.")
    organisations_url: str = Field(..., description="Address of the list of organisations.")
    regions_url: str = Field(..., description="Address of the list of regions.")
