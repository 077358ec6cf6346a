"""The prose linter: grades the structure and consistency of README answers, design docs and notes.

It checks what a machine can check fairly: the required sections exist (by heading), no template
placeholder is left, each section has a minimum of substance, names the terms it must discuss, states the
numbers it must state, and agrees with the learner's own results (``cross_check``). Quality of argument is
for a human reader. Every finding carries a message addressed to the learner that says what to write.

Headings are ATX (``## Metrics``) or setext headings, found by ``course.markdown``. Titles are compared
normalised: case, numbering such as ``1.`` or ``Q2:``, emphasis and trailing punctuation are ignored, and
a spec title also matches a heading that starts with it (``Metrics`` matches ``## Metrics and
thresholds``).

Block quotes (``> Which metric matches the decision?``) are the brief's prompts, kept in the starter: they
do not count towards a section's words, terms, numbers or stated values, so a prompt never answers itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from course.markdown import Section, outside_fences
from course.markdown import sections as split_sections

FindingKind = Literal[
    "missing_section", "placeholder", "too_short", "missing_term", "missing_number", "mismatch"
]

DEFAULT_PLACEHOLDERS: tuple[str, ...] = (
    r"your answer here",
    r"\bTODO\b",
    r"\bTBD\b",
    r"\bFIXME\b",
    r"lorem ipsum",
    r"<[A-Za-z_][^<>\n]{0,80}(?<!\s)>",  # template brackets such as <your metric>; HTML tags are exempt
)
_HTML_TAG_NAMES = (
    "a abbr b blockquote br center code dd del details div dl dt em figcaption figure font h1 h2 h3 h4 h5 "
    "h6 hr i img ins kbd li mark ol p picture pre s samp small source span strong sub summary sup table "
    "tbody td th thead tr u ul video"
)
HTML_TAGS = frozenset(_HTML_TAG_NAMES.split())

_QUOTE = re.compile(r"^ {0,3}>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_WORD = re.compile(r"[^\W_](?:[\w'’.%/-]*[^\W_%])?%?")
_NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-+−])?(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<exp>[eE][-+]?\d+)?"
    r"(?:(?P<scale>[kKMB])(?![\w])|(?P<percent>\s?(?:%|percent\b|per cent\b)))?"
)
_SCALES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}
#: Where one quoted fact ends: a sentence end, a semicolon, a blank line, a new list item or table row.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+(?=\S)|\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)")
_TABLE_ROW = re.compile(r"^\s{0,3}\|")


@dataclass(frozen=True)
class NumberRule:
    """A number a section must state: a regex (case-insensitive) and what it stands for, for the message."""

    pattern: str
    what: str = ""

    def describe(self) -> str:
        return self.what or f"a figure matching `{self.pattern}`"


@dataclass(frozen=True)
class SectionSpec:
    """What one section must contain.

    ``required_terms`` is a list of any-of groups: the section must mention at least one term of each group
    (case-insensitive; a term matches at the start of a word, so ``calibrat`` matches ``calibration``).
    ``required_numbers`` holds regexes or :class:`NumberRule`. ``guidance`` is appended to messages and tells
    the learner what the section is for ("say which metric matches the decision and why").
    """

    title: str
    min_words: int = 0
    required_terms: Sequence[Sequence[str]] = ()
    required_numbers: Sequence[str | NumberRule] = ()
    guidance: str = ""
    aliases: Sequence[str] = ()

    def number_rules(self) -> list[NumberRule]:
        return [rule if isinstance(rule, NumberRule) else NumberRule(rule) for rule in self.required_numbers]


@dataclass(frozen=True)
class DocSpec:
    """A document's required sections and the placeholder patterns it must not contain."""

    sections: Sequence[SectionSpec]
    placeholders: Sequence[str] = DEFAULT_PLACEHOLDERS
    name: str = "The document"


@dataclass(frozen=True)
class Finding:
    """One problem, with a learner-facing message; ``section`` is the spec title it belongs to, if any."""

    kind: FindingKind
    message: str
    section: str | None = None
    line: int | None = None


def normalise_title(title: str) -> str:
    """Lower-case a heading and drop numbering, emphasis, links and trailing punctuation."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    text = re.sub(r"[*_`]", "", text).strip().lower()
    text = re.sub(r"^(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[.):-]?\s+", "", text)
    text = re.sub(r"^q\d+\s*[.):-]?\s*", "", text)
    text = re.sub(r"[\s:?.!]+$", "", text)
    return re.sub(r"\s+", " ", text)


def parse_sections(markdown: str) -> dict[str, str]:
    """Section bodies keyed by normalised heading title; a body includes its subsections.

    Text before the first heading is under the key ``""``. Repeated titles are joined.
    """
    parsed: dict[str, str] = {}
    for section in split_sections(markdown):
        key = normalise_title(section.title)
        body = "\n".join(section.body).strip()
        parsed[key] = f"{parsed[key]}\n\n{body}" if key in parsed and body else parsed.get(key) or body
    return parsed


def _prose(text: str, keep_quotes: bool = True) -> str:
    """Text with code, HTML comments and link targets blanked out, line numbers kept: what a reader reads.

    With ``keep_quotes=False`` block quotes are blanked too: they hold the brief's prompts, not the answer.
    """
    text = _COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)
    lines = text.splitlines()
    kept = [
        line if keep and (keep_quotes or not _QUOTE.match(line)) else ""
        for line, keep in zip(lines, outside_fences(lines), strict=True)
    ]
    return _LINK_TARGET.sub("]", _INLINE_CODE.sub(" ", "\n".join(kept)))


def _answer(text: str) -> str:
    """The learner's own prose in ``text``: no code, comments or block-quoted prompts."""
    return _prose(text, keep_quotes=False)


def count_words(text: str) -> int:
    """Words of prose in ``text``; code, comments, link targets and block quotes (prompts) do not count."""
    return len(_WORD.findall(_answer(text)))


def _matches(text: str) -> list[tuple[float, int, bool]]:
    """(value as written, decimals as written, is a percentage) for each number in ``text``."""
    found: list[tuple[float, int, bool]] = []
    for match in _NUMBER.finditer(text):
        digits = match["digits"].replace(",", "")
        value = float(digits + (match["exp"] or ""))
        if match["sign"] in ("-", "−"):
            value = -value
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        if match["scale"]:
            value *= _SCALES[match["scale"]]
            decimals -= round(math.log10(_SCALES[match["scale"]]))
        if match["exp"]:
            decimals -= int(match["exp"][1:])
        found.append((value, decimals, match["percent"] is not None))
    return found


def numbers_in(text: str) -> list[float]:
    """Every number in ``text``, in order: ``1,234.5``, ``-3``, ``3e-4``, ``12k`` (12000), ``1.5M``.

    Percentages are returned as fractions (``31 %`` and ``31 percent`` give 0.31). Digits inside words
    (``p99``, ``F1``) are not numbers.
    """
    return [value / 100 if percent else value for value, _decimals, percent in _matches(text)]


def _significant_digits(value: float, decimals: int) -> int:
    if value == 0:
        return 1
    return max(0, math.floor(math.log10(abs(value))) + 1 + decimals)


def mentions_value(text: str, value: float, rel_tol: float = 0.01, abs_tol: float = 1e-9) -> bool:
    """Whether ``text`` states ``value``: 0.31 is stated by ``0.31``, ``0.310``, ``31 %`` or ``31.0%``.

    A written number matches when it is within ``rel_tol``/``abs_tol`` of ``value``, or when it is
    ``value`` rounded to the digits written (``0.31`` states 0.3127), given at least two significant
    digits (``0.3`` does not state 0.3127). A percentage also matches as written (``31 %`` states 31.0).
    """
    for written, decimals, percent in _matches(text):
        candidates = (
            [(written / 100, decimals + 2), (written, decimals)] if percent else [(written, decimals)]
        )
        for candidate, places in candidates:
            if math.isclose(candidate, value, rel_tol=rel_tol, abs_tol=abs_tol):
                return True
            rounding = 0.5 * 10.0 ** (-places)
            if _significant_digits(candidate, places) >= 2 and abs(candidate - value) <= rounding * (
                1 + 1e-9
            ):
                return True
    return False


def _find_section(sections: list[Section], spec: SectionSpec) -> Section | None:
    wanted = [normalise_title(title) for title in (spec.title, *spec.aliases)]
    titled = sections[1:]
    for section in titled:
        if normalise_title(section.title) in wanted:
            return section
    for section in titled:
        title = normalise_title(section.title)
        if any(re.match(re.escape(w) + r"(?!\w)", title) for w in wanted):
            return section
    return None


def _with_guidance(message: str, spec: SectionSpec) -> str:
    return f"{message}: {spec.guidance}" if spec.guidance else f"{message}."


def _term_found(text: str, term: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(term), text, re.IGNORECASE) is not None


def _placeholders(
    markdown: str, patterns: Iterable[str], sections: list[Section], located: dict[str, Section | None]
) -> list[Finding]:
    """One finding per placeholder pattern per line, attributed to the innermost spec section around it."""
    findings: list[Finding] = []
    for number, line in enumerate(_prose(markdown).splitlines(), start=1):
        for pattern in patterns:
            text = next(
                (m.group() for m in re.finditer(pattern, line, re.IGNORECASE) if not _is_html(m.group())),
                None,
            )
            if text is None:
                continue
            heading = next((s.title for s in reversed(sections[1:]) if s.line <= number), None)
            around = [
                (len(found.body), title)
                for title, found in located.items()
                if found is not None and found.line < number <= found.line + len(found.body)
            ]
            where = f" (section '{heading}')" if heading else ""
            message = (
                f"Line {number}{where} still has the placeholder {text!r}: replace it with your own text."
            )
            findings.append(Finding("placeholder", message, min(around)[1] if around else None, number))
    return findings


def _is_html(text: str) -> bool:
    """Whether a ``<...>`` match is an HTML tag, comment or autolink rather than a template bracket."""
    if not text.startswith("<"):
        return False
    inner = text[1:-1].strip().lstrip("/")
    if inner.startswith(("!--", "http://", "https://", "mailto:")):
        return True
    name = re.match(r"[A-Za-z][A-Za-z0-9-]*", inner)
    return (
        bool(name) and name.group().lower() in HTML_TAGS and (len(name.group()) == len(inner) or "=" in inner)
    )


def lint(markdown: str, spec: DocSpec) -> list[Finding]:
    """Every finding for ``markdown`` against ``spec``; an empty list means the document passes."""
    sections = split_sections(markdown)
    located = {section_spec.title: _find_section(sections, section_spec) for section_spec in spec.sections}
    findings = _placeholders(markdown, spec.placeholders, sections, located)
    for section_spec in spec.sections:
        section = located[section_spec.title]
        title = section_spec.title
        if section is None:
            headings = ", ".join(f"'{s.title}'" for s in sections[1:]) or "none"
            message = (
                f"{spec.name} has no section '{title}' (a heading such as '## {title}'); "
                f"headings found: {headings}"
            )
            findings.append(Finding("missing_section", _with_guidance(message, section_spec), title))
            continue
        prose = _answer("\n".join(section.body))
        for pattern in spec.placeholders:  # a placeholder is not substance
            prose = re.sub(pattern, lambda m: m.group() if _is_html(m.group()) else " ", prose, flags=re.I)
        words = len(_WORD.findall(prose))
        if words < section_spec.min_words:
            message = f"Section '{title}' has {words} words; write at least {section_spec.min_words}"
            findings.append(Finding("too_short", _with_guidance(message, section_spec), title, section.line))
        for group in section_spec.required_terms:
            if not any(_term_found(prose, term) for term in group):
                terms = ", ".join(f"'{term}'" for term in group)
                message = f"Section '{title}' does not mention {'any of ' if len(group) > 1 else ''}{terms}"
                findings.append(
                    Finding("missing_term", _with_guidance(message, section_spec), title, section.line)
                )
        for rule in section_spec.number_rules():
            if re.search(rule.pattern, prose, re.IGNORECASE) is None:
                message = f"Section '{title}' does not state {rule.describe()}"
                findings.append(
                    Finding("missing_number", _with_guidance(message, section_spec), title, section.line)
                )
    return findings


def quoted_figures(text: str, names: Sequence[str]) -> list[str]:
    """The figure quoted for each mention of one of ``names`` in ``text``, as written.

    A figure belongs to the name it stands next to: the number nearest to the name in the same sentence
    (or list item), the one after it on a tie. So in "a PR-AUC of 0.380 [0.339, 0.423]" the figure for
    ``PR-AUC`` is 0.380, never an interval bound; in "precision 0.41 at a threshold of 0.23" the figure for
    ``threshold`` is 0.23; and in "1,474 reviews a day" the figure for ``reviews a day`` is 1,474. A name
    mentioned twice quotes a figure each time. In a Markdown table, a name in a row's cell
    quotes the first number in the cells after it, and a name in the header quotes the first number of
    its column in each row. Names match at the start of a word, case-insensitively.
    """
    patterns = [re.compile(r"(?<!\w)" + re.escape(name), re.IGNORECASE) for name in names]
    prose = [line for line in text.splitlines() if not _TABLE_ROW.match(line)]
    figures: list[str] = []
    for sentence in _SENTENCE_BREAK.split("\n".join(prose)):
        numbers = list(_NUMBER.finditer(sentence))
        for pattern in patterns:
            for found in pattern.finditer(sentence):
                outside = [m for m in numbers if m.start() >= found.end() or m.end() <= found.start()]
                if outside:  # the nearest number; on a tie the one after the name
                    nearest = min(outside, key=lambda m: (_gap(found, m), m.start() < found.start()))
                    figures.append(nearest.group())
    for table in _tables(text):
        figures += _table_figures(table, patterns)
    return figures


def _gap(name: re.Match[str], number: re.Match[str]) -> int:
    """Characters between a name and a number in the same sentence."""
    return number.start() - name.end() if number.start() >= name.end() else name.start() - number.end()


def _tables(text: str) -> list[list[list[str]]]:
    """Markdown tables in ``text``: rows of cells, the separator row (``|---|``) left out."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if _TABLE_ROW.match(line):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def _table_figures(rows: list[list[str]], patterns: list[re.Pattern[str]]) -> list[str]:
    figures: list[str] = []
    header, body = rows[0], rows[1:]
    for pattern in patterns:
        for column, cell in enumerate(header):
            if pattern.search(cell):
                for row in body:
                    found = _NUMBER.search(row[column]) if column < len(row) else None
                    figures += [found.group()] if found else []
        for row in rows:
            for column, cell in enumerate(row):
                if pattern.search(cell):
                    later = (_NUMBER.search(other) for other in row[column + 1 :])
                    found = next((m for m in later if m), None)
                    figures += [found.group()] if found else []
    return figures


def cross_check(
    markdown: str,
    section: str,
    value: float,
    what: str,
    rel_tol: float = 0.01,
    abs_tol: float = 1e-9,
    *,
    near: Sequence[str] = (),
) -> Finding | None:
    """A finding unless section ``section`` of ``markdown`` states ``value`` (see :func:`mentions_value`).

    ``near`` names the fact (``("PR-AUC",)``, ``("reviews a day", "reviews per day")``): the value must
    then be a figure quoted for one of those names (see :func:`quoted_figures`), not any number of the
    section, so an interval bound or another metric's figure that happens to equal ``value`` does not
    count. Without ``near`` any number of the section counts. ``what`` names the value and where it
    comes from, for the message: "the threshold your notebook wrote to reports/metrics.json".
    """
    found = _find_section(split_sections(markdown), SectionSpec(section))
    if found is None:
        return Finding(
            "missing_section", f"There is no section '{section}' to state {what} ({value:g}).", section
        )
    body = _answer("\n".join(found.body))
    if near:
        figures = quoted_figures(body, near)
        if any(mentions_value(f, value, rel_tol=rel_tol, abs_tol=abs_tol) for f in figures):
            return None
        names = " or ".join(f"'{name}'" for name in near)
        stated = ", ".join(figures[:8]) or "no figure next to it"
        return Finding(
            "mismatch",
            f"Section '{section}' should state {what}, {value:g}, next to {names}; it states {stated} "
            f'there. Quote the figure next to the name ("{near[0]} {value:g}"), and make the text and '
            "your results agree (re-run the notebook, then update the text).",
            section,
            found.line,
        )
    if mentions_value(body, value, rel_tol=rel_tol, abs_tol=abs_tol):
        return None
    stated = ", ".join(f"{number:g}" for number in numbers_in(body)[:8]) or "no numbers"
    return Finding(
        "mismatch",
        f"Section '{section}' should state {what}, {value:g}; it states {stated}. "
        "Make the text and your results agree (re-run the notebook, then update the text).",
        section,
        found.line,
    )


def format_findings(findings: Sequence[Finding]) -> str:
    """The findings as a bulleted list, for an assertion message."""
    return "\n".join(f"- {finding.message}" for finding in findings)
