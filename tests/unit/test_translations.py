"""Every interface text has a Finnish and a Swedish translation, with the same placeholders.

CI extracts the strings again (`make messages`) before the tests, so a text added to the code without
its translations fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (a list), flags, obsolete. Enough of the format for our files."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def finish():
        if entry.get("msgid") is not None:
            entries.append(dict(entry))

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, key = {}, None
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if key == "msgstr":
                entry["msgstr"][-1] += text
            else:
                entry[key] += text
        else:
            word, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if word.startswith("msgstr"):
                entry.setdefault("msgstr", []).append(text)
                key = "msgstr"
            else:
                entry[word] = text
                key = word
    finish()
    return [e for e in entries if e["msgid"] and not e.get("obsolete")]


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_text_is_translated(language):
    entries = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(e.get("msgstr", [""]))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert not untranslated, f"{len(untranslated)} texts without a {language} translation: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy {language} translations (ignored at run time): {fuzzy[:10]}"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_translations_keep_the_placeholders(language):
    wrong = []
    for entry in read_po(LOCALE / language / "LC_MESSAGES" / "django.po"):
        expected = sorted(PLACEHOLDER.findall(entry.get("msgid_plural") or entry["msgid"]))
        for translation in entry.get("msgstr", []):
            found = sorted(PLACEHOLDER.findall(translation))
            # A singular form may leave out the count ("yksi päivä"); nothing else may go missing or appear.
            if found != expected and not (entry.get("msgid_plural") and set(found) <= set(expected)):
                wrong.append((entry["msgid"], translation))
    assert not wrong, wrong[:5]
