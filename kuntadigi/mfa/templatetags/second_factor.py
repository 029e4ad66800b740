from django import template

from kuntadigi.mfa import services

register = template.Library()


@register.inclusion_tag("mfa/_account.html", takes_context=True)
def second_factor_section(context):
    """The account page's part on the second factor and sessions."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "totp_devices": list(services.totp_devices(user)),
        "passkeys": list(services.passkeys(user)),
        "codes_left": services.recovery_codes_left(user),
        "required": services.is_official_person(user),
        "has_device": services.has_device(user),
    }


@register.filter
def as_json(value) -> str:
    """JSON text, for the content of an element (autoescaped like any text)."""
    import json

    return json.dumps(value, sort_keys=True)
