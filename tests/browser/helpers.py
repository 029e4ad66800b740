"""Assertions and helpers for browser tests (Playwright's sync API on Chromium).

from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, extract_link
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.1 level A and AA, the service's accessibility target.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()

# Milliseconds a click that signs decisions waits for the next page. Signing renders each signed PDF
# inside the request (the tests' immediate task backend), which on a busy machine, or with another test
# worker beside it (pytest-xdist), takes longer than the 10-15 seconds other clicks wait.
SIGNING_TIMEOUT = 60_000


def assert_no_axe_violations(page, *, tags: list[str] | None = None, context: str | dict | None = None) -> None:
    """Run axe-core on the page as it is now and fail with every violation: id, help and the nodes hit.

    Works on pages without JavaScript too (the `nojs_page` fixture): axe then runs on a copy.
    """
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}, "resultTypes": ["violations"]}
    if scripts_run(page):
        violations = _axe.run(page, context=context, options=options).response["violations"]
    else:
        violations = _axe_on_a_copy(page, context, options)
    if not violations:
        return
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} [{violation.get('helpUrl', '')}]")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    raise AssertionError("\n".join(lines))


def scripts_run(page) -> bool:
    """False in a page whose context has JavaScript disabled: its timers never fire, so axe would wait forever."""
    page.evaluate("() => { window.kdTimerFired = false; setTimeout(() => { window.kdTimerFired = true; }, 0); }")
    for _ in range(20):
        page.wait_for_timeout(25)  # waits in Playwright, not in the page
        if page.evaluate("() => window.kdTimerFired === true"):
            return True
    return False


def _axe_on_a_copy(page, context, options) -> list[dict]:
    """axe-core on the page's current HTML, served at the same address to a JavaScript-enabled copy.

    Stylesheets and images load from the server as usual; the page's own scripts stay off, so the
    copy looks like the page without JavaScript.
    """
    html = page.content()
    address = page.url.split("#")[0]
    copy_context = page.context.browser.new_context(viewport=page.viewport_size)

    def serve(route):
        request = route.request
        if request.resource_type == "document" and request.url.split("#")[0] == address:
            route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        elif request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    try:
        copy_context.route("**/*", serve)
        copy = copy_context.new_page()
        if address.startswith(("http://", "https://")):
            copy.goto(address)
        else:  # a page made with set_content (about:blank)
            copy.set_content(html)
        return _axe.run(copy, context=context, options=options).response["violations"]
    finally:
        copy_context.close()


def assert_reads_at_320px(page, *, height: int = 800) -> None:
    """Reflow (WCAG 1.4.10): at 320 CSS pixels wide the page needs no horizontal scrolling.

    Resizes the viewport to 320 px and back, so later steps of the test see the original size.
    """
    original = page.viewport_size
    page.set_viewport_size({"width": 320, "height": height})
    try:
        widths = page.evaluate(
            """() => ({
                scroll: document.documentElement.scrollWidth,
                wide: Array.from(document.querySelectorAll('body *'))
                    .filter(el => el.getBoundingClientRect().right > 321)
                    .slice(0, 5)
                    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                        + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '')),
            })"""
        )
        assert widths["scroll"] <= 321, f"{page.url} scrolls sideways at 320 px: the page is {widths['scroll']} px wide; too wide: {widths['wide']}"
    finally:
        if original:
            page.set_viewport_size(original)


def assert_skip_link_comes_first(page) -> None:
    """The first Tab press lands on the skip link, and following it moves focus to the main content."""
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href')})")
    assert "skip-link" in focused["cls"], f"the first Tab stop is {focused}, not the skip link"
    target = focused["href"]
    assert target and target.startswith("#"), f"the skip link points to {target!r}"
    visible = page.locator(".skip-link").is_visible()
    assert visible, "the skip link is not visible when it has focus"
    page.keyboard.press("Enter")
    active_id = page.evaluate("() => document.activeElement.id")
    assert active_id == target[1:], f"after the skip link, focus is on #{active_id}, not {target}"


def extract_link(body: str, path_fragment: str) -> str:
    """The first http(s) link in a mail body whose address contains path_fragment."""
    for match in re.finditer(r"https?://[^\s<>\"')\]]+", body):
        url = match.group(0).rstrip(".,;:!?")
        if path_fragment in url:
            return url
    raise AssertionError(f"no link containing {path_fragment!r} in the message:\n{body}")


def path_of(url: str) -> str:
    """'/fi/calls/?page=2' from 'http://localhost:1234/fi/calls/?page=2'."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_as(page, site, user, *, clear: bool = False) -> None:
    """Give the browser the session of a signed-in user (the sign-in pages have their own tests).
    `clear` drops the browser's other cookies first (a clean switch from one user to another)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    if clear:
        page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": site.url}])


def check_page(page, url: str) -> None:
    """Open `url`: it answers 200 with one h1, axe-core finds no violation, it reads at 320 px and the
    console shows no error."""
    from playwright.sync_api import expect

    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    expect(page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    assert getattr(page, "console_errors", []) == [], f"console errors on {page.url}: {page.console_errors}"
