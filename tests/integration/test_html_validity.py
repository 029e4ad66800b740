"""The pages are well-formed HTML that keeps to the service's rules, checked without a browser.

For each page in Finnish, Swedish and English: elements are closed in order, ids are unique, every
label, aria-labelledby and aria-describedby points to an element that exists, every form field has a
label, images have alt text, there is one h1 and headings do not skip levels, <html lang> is the
page's language, and there is no inline script, style attribute or event-handler attribute (the
Content Security Policy would block them).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements whose end tag HTML lets you leave out; the checker closes them implicitly.
OPTIONAL_END = {"p", "li", "dt", "dd", "option", "optgroup", "thead", "tbody", "tfoot", "tr", "td", "th", "colgroup", "caption", "rt", "rp"}
FIELDS_WITHOUT_LABEL = {"hidden", "submit", "button", "reset", "image"}


class PageChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.references: list[tuple[str, str]] = []  # (what, id)
        self.fields: list[dict] = []  # form fields with their id and whether a <label> wraps them
        self.label_targets: set[str] = set()
        self.headings: list[int] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        line = self.getpos()[0]
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"line {line}: <{tag} {name}=...>: event-handler attribute")
            if name == "style":
                self.problems.append(f"line {line}: <{tag} style=...>: style attribute")
            if name in {"aria-labelledby", "aria-describedby", "aria-controls"} and value:
                self.references.extend((f"{name} on <{tag}> line {line}", ref) for ref in value.split())
        if tag == "script" and not attributes.get("src"):
            self.problems.append(f"line {line}: inline <script>")
        if tag == "style":
            self.problems.append(f"line {line}: <style> block")
        if tag == "label":
            if attributes.get("for"):
                self.label_targets.add(attributes["for"])
                self.references.append((f"<label for> line {line}", attributes["for"]))
        if tag == "img" and "alt" not in attributes:
            self.problems.append(f"line {line}: <img> without alt")
        if tag in {"input", "select", "textarea"} and attributes.get("type", "text") not in FIELDS_WITHOUT_LABEL:
            self.fields.append(
                {
                    "where": f"<{tag} name={attributes.get('name')!r}> line {line}",
                    "id": attributes.get("id"),
                    "wrapped": "label" in self.stack,
                    "aria": bool(attributes.get("aria-label") or attributes.get("aria-labelledby")),
                }
            )
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.headings.append(int(tag[1]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        line = self.getpos()[0]
        if tag not in self.stack:
            self.problems.append(f"line {line}: </{tag}> closes nothing")
            return
        while self.stack and self.stack[-1] != tag:
            left_open = self.stack.pop()
            if left_open not in OPTIONAL_END:
                self.problems.append(f"line {line}: </{tag}> while <{left_open}> is still open")
        self.stack.pop()

    def report(self, lang: str) -> list[str]:
        problems = list(self.problems)
        unclosed = [tag for tag in self.stack if tag not in OPTIONAL_END]
        if unclosed:
            problems.append(f"never closed: {unclosed}")
        seen: set[str] = set()
        for element_id in self.ids:
            if element_id in seen:
                problems.append(f"duplicate id {element_id!r}")
            seen.add(element_id)
        for what, ref in self.references:
            if ref not in seen:
                problems.append(f"{what} points to a missing id {ref!r}")
        for field in self.fields:
            if not (field["wrapped"] or field["aria"] or (field["id"] and field["id"] in self.label_targets)):
                problems.append(f"{field['where']} has no label")
        if self.headings.count(1) != 1:
            problems.append(f"{self.headings.count(1)} h1 elements (one expected)")
        for previous, current in zip(self.headings, self.headings[1:], strict=False):
            if current > previous + 1:
                problems.append(f"heading h{previous} is followed by h{current}")
        if self.html_lang != lang:
            problems.append(f"<html lang={self.html_lang!r}> on a {lang} page")
        return problems


def check_page(client, name: str, lang: str, *args) -> None:
    with translation.override(lang):
        url = reverse(name, args=args or None)
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html")
    checker = PageChecker()
    checker.feed(response.content.decode())
    checker.close()
    problems = checker.report(lang)
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)


def test_the_checker_finds_problems():
    checker = PageChecker()
    checker.feed(
        '<html lang="fi"><body><h1>A</h1><h3 id="x">B</h3><div id="x"><span></div>'
        '<label for="missing">N</label><input name="n" id="n"><img src="a.png">'
        '<p style="color:red" onclick="go()">x</p><script>alert(1)</script></body></html>'
    )
    problems = "\n".join(checker.report("sv"))
    for expected in [
        "duplicate id 'x'",
        "</div> while <span> is still open",
        "points to a missing id 'missing'",
        "<input name='n'> line 1 has no label",
        "<img> without alt",
        "style attribute",
        "event-handler attribute",
        "inline <script>",
        "h1 is followed by h3",
        "<html lang='fi'> on a sv page",
    ]:
        assert expected in problems


def test_the_checker_accepts_a_good_page():
    checker = PageChecker()
    checker.feed(
        '<!DOCTYPE html><html lang="fi"><head><meta charset="utf-8"><title>T</title><script src="/s.js" defer></script></head>'
        '<body><main id="main"><h1>A</h1><h2>B</h2><ul><li>one<li>two</ul><form><label for="q">Q</label>'
        '<input id="q" name="q" aria-describedby="q-hint"><p id="q-hint">hint<label>Yes <input type="checkbox" name="y"></label>'
        '<input type="hidden" name="h"><button type="submit">Go</button></form><h2>C</h2><h3>D</h3></main></body></html>'
    )
    assert checker.report("fi") == []


LANGUAGES = ["fi", "sv", "en"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["core:home", "core:accessibility", "core:privacy", "core:cookies", "core:help", "calls:list", "accounts:sign_in"])
def test_public_pages_are_valid(client, db, during_call, name, lang):
    factories.call("digi-2020")
    check_page(client, name, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_call_page_is_valid(client, db, during_call, lang):
    factories.call("digi-2020")
    check_page(client, "calls:detail", lang, "digi-2020")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["accounts:account", "accounts:organisations", "applications:mine", "mfa:enrol"])
def test_signed_in_pages_are_valid(client, db, during_call, name, lang):
    factories.call("digi-2020")
    person = factories.member(factories.municipality("Porvoo", code="638"), admin=True)
    client.force_login(person)
    check_page(client, name, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_second_factor_pages_are_valid(client, db, during_call, lang):
    from tests import mfa_support

    official = factories.user(official=True)
    mfa_support.app_for(official)
    client.force_login(official)
    check_page(client, "mfa:verify", lang)
    check_page(client, "accounts:account", lang)  # with the devices, the recovery codes and "sign out everywhere"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_officials_pages_are_valid(client, db, during_call, lang):
    factories.call("digi-2020")
    client.force_login(factories.user(official=True))
    check_page(client, "applications:official_calls", lang)
