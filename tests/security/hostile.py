"""The hostile-string corpus and a checker that a page lets none of it run."""

from __future__ import annotations

import html
import json
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parent.parent / "data" / "hostile_strings.json"
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
}
FORBIDDEN_TAGS = {
    "iframe",
    "object",
    "embed",
    "base",
    "frame",
    "frameset",
    "portal",
    "style",
    "link",
}


@cache
def hostile_strings() -> tuple[str, ...]:
    return tuple(json.loads(CORPUS_PATH.read_text())["strings"])


DATA_BLOCKS = ("labb-live-events",)


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # Labb's own JSON data blocks (never executed), known by id; no other inline script.
        data_block = attributes.get("type") == "application/json" and attributes.get("id") in (
            DATA_BLOCKS
        )
        if (
            tag == "script"
            and not data_block
            and not (attributes.get("src") or "").startswith("/static/")
        ):
            self.problems.append(f"inline or foreign script: {attrs}")
        if (
            tag == "link"
            and attributes.get("rel") in {"stylesheet", "icon"}
            and (attributes.get("href") or "").startswith("/static/")
        ):
            return
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> {attrs}")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append(f"meta refresh {attrs}")
        for name, value in attrs:
            lowered = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and lowered.startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.problems.append(f"script URL {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>: {value!r}")
            if name.startswith(("hx-", "data-hx-")) and "pwned" in lowered:
                self.problems.append(f"htmx attribute {name}={value!r}")
            if (
                name in {"hx-on", "hx-get", "hx-post", "hx-trigger"}
                and tag == "div"
                and ("load" in lowered or "logout" in lowered)
            ):
                self.problems.append(f"planted htmx request {name}={value!r}")


def unsafe_markup(html: str) -> list[str]:
    """Everything in `html` that could run script or restyle the page."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


# --- Is a text shown as text? -----------------------------------------------------------
#
# Built from the standard library only, never from Labb's own helpers: a test that asked
# the code under test what the right answer is would agree with any bug in it.

SOFT_HYPHEN = "\u00ad"  # boards add these to long words; they are not part of the text


def escaped(text: str) -> str:
    """`text` as HTML text: & < > " ' as character references (what Django's escaping gives)."""
    return html.escape(text, quote=True)


def _one_kind_of_newline(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def shown_forms(text: str) -> tuple[str, str]:
    """How `text` looks in a page that shows it as text: escaped, with its line breaks kept
    or turned into <br> (linebreaksbr)."""
    return escaped(text), escaped(_one_kind_of_newline(text)).replace("\n", "<br>")


def raw_forms(text: str) -> set[str]:
    """How `text` looks in a page that (wrongly) shows it as markup."""
    return {text, _one_kind_of_newline(text).replace("\n", "<br>")}


def is_markup(text: str) -> bool:
    """Whether escaping changes `text`, so its raw form can be told from its escaped one."""
    return escaped(text) != text


def visible_text(html_fragment: str) -> str:
    """The text content of an HTML fragment (what a reader sees, markup left out)."""
    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(html_fragment)
    parser.close()
    return "".join(parts)
