"""Text that shoppers wrote — remarks, addresses, reasons, nicknames — shown to staff exactly as typed.

Most Streamlit elements read their text as Markdown: ``st.markdown``, ``st.caption``, ``st.info`` and the other
alerts, ``st.subheader``, and the labels of buttons, checkboxes, expanders and tabs (which render links and
images). A remark such as ``![x](http://…)`` would make the staff member's browser fetch that address. Every
such value goes through ``plain`` before it is put into Markdown; tables (``st.dataframe``), ``st.text`` and
select boxes show text as it is and take it unescaped. Charts (Plotly) read a little HTML: ``chart_text``.
(docs/security.md, Text input.)
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character: CommonMark shows a backslash-escaped one as itself, which disarms emphasis,
# code, links, images, autolinks, HTML, tables, headings and lists, and Streamlit's directives (:red[…]) and math.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Emoji short codes (:smile:) and bare links (http://…, www.…, a@b.cn) are found in the text after parsing, so
# escaping does not reach them; an invisible word joiner after every colon and @, and after "www", does.
_AFTER_PARSING = re.compile(r"(?<=\\[:@])|(?i:(?<=www)(?=\\\.))")
WORD_JOINER = "\u2060"
# Leading spaces or tabs would make an indented code block; no-break spaces look the same and do not.
_INDENT = re.compile(r"^[ \t]+")


def plain(text: object) -> str:
    """``text`` as Markdown that renders as exactly that text, its line breaks kept."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_line(line) for line in lines)


def _line(line: str) -> str:
    escaped = _AFTER_PARSING.sub(WORD_JOINER, _PUNCTUATION.sub(r"\\\1", line))
    return _INDENT.sub(lambda m: "\u00a0" * len(m.group().expandtabs(4)), escaped)


def chart_text(text: object) -> str:
    """A label or hover text for a Plotly chart: its tags (``<a href>``, ``<b>``) show as typed."""
    return html.escape(str(text), quote=False)
