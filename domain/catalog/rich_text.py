"""A product's detail rich text: what staff write is kept only as far as an allow-list lets it through.

The stored text is rebuilt from the parsed pieces, never copied: only the tags and attributes below survive,
every text and attribute value is escaped again, scripts and styles go with their content, and an image or a
link must point at our media store (``/media/…``) or an ``https://`` address. The mini-program shows the result
in ``rich-text``; the read model for shoppers passes it through here once more, making image paths absolute
(docs/security.md, Product detail rich text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

from domain.media import MEDIA_PREFIX

MAX_DETAIL_LENGTH = 50_000  # characters, once sanitised

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "s", "del", "h2", "h3", "h4", "blockquote",
    "ul", "ol", "li", "img", "a", "table", "thead", "tbody", "tr", "th", "td",
})
VOID_TAGS = frozenset({"br", "hr", "img"})
ALLOWED_ATTRIBUTES = {
    "img": frozenset({"src", "alt", "width", "height"}),
    "a": frozenset({"href", "title"}),
    "th": frozenset({"colspan", "rowspan"}),
    "td": frozenset({"colspan", "rowspan"}),
}
# Dropped together with everything inside them (a <script>'s text must not come back as a paragraph).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                                  "textarea", "select", "svg", "math", "head", "title"})
URL_ATTRIBUTES = frozenset({"src", "href"})
_NUMBER = re.compile(r"^\d{1,4}$")
_MEDIA_PATH = re.compile(r"^/media/[A-Za-z0-9_\-./]+$")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def is_allowed_image(url: str) -> bool:
    """An image we may show shoppers: a file of our media store, or an ``https://`` address."""
    url = url.strip()
    if url.startswith(MEDIA_PREFIX):
        return bool(_MEDIA_PATH.match(url)) and ".." not in url and "//" not in url[1:]
    return _is_https(url)


def _is_https(url: str) -> bool:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:"), so they are removed
    # before the check; what is kept must still start with https://.
    compact = _INVISIBLE.sub("", url).lower()
    return compact.startswith("https://") and len(compact) > len("https://") and "\\" not in compact


def sanitize(html: str, *, image_url: Callable[[str], str] | None = None, image_style: str = "") -> str:
    """``html`` reduced to the allow-list. For shoppers, ``image_url`` makes media paths absolute and
    ``image_style`` sizes images to the screen."""
    cleaner = _Cleaner(image_url=image_url, image_style=image_style)
    cleaner.feed(html or "")
    cleaner.close()
    return cleaner.result()


class _Cleaner(HTMLParser):
    def __init__(self, *, image_url: Callable[[str], str] | None, image_style: str) -> None:
        super().__init__(convert_charrefs=True)  # entities are decoded first, so "&#106;avascript:" is seen as such
        self._out: list[str] = []
        self._open: list[str] = []
        self._dropping: list[str] = []
        self._image_url = image_url
        self._image_style = image_style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropping:
            if tag in DROPPED_WITH_CONTENT:
                self._dropping.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT:
            self._dropping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return
        kept = self._attributes(tag, attrs)
        if tag == "img" and "src" not in kept:
            return  # an image whose address was refused shows nothing
        if tag == "img" and self._image_style:
            kept["style"] = self._image_style
        rendered = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in kept.items())
        self._out.append(f"<{tag}{rendered}>")
        if tag not in VOID_TAGS:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self._open and self._open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag == self._dropping[-1]:
                self._dropping.pop()
            return
        if tag not in self._open:
            return
        while self._open:  # close whatever was left open inside it, so the result is always well nested
            inner = self._open.pop()
            self._out.append(f"</{inner}>")
            if inner == tag:
                return

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self._out.append(escape(data, quote=False))

    def result(self) -> str:
        return "".join(self._out) + "".join(f"</{tag}>" for tag in reversed(self._open))

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str]:
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        kept: dict[str, str] = {}
        for name, value in attrs:
            if name not in allowed or value is None or name in kept:
                continue
            value = value.strip()
            if name in URL_ATTRIBUTES:
                value = self._url(tag, value)
                if not value:
                    continue
            elif name in ("width", "height", "colspan", "rowspan") and not _NUMBER.match(value):
                continue
            kept[name] = value[:512]
        return kept

    def _url(self, tag: str, value: str) -> str:
        if tag == "img":
            if not is_allowed_image(value):
                return ""
            return self._image_url(value) if self._image_url else value
        return value if _is_https(value) else ""
