"""An uploaded SVG logo rebuilt from an allow-list: static vector shapes, nothing that acts.

The file is parsed with defusedxml (entity declarations and external references refused, so no
XXE and no billion laughs; a bare DOCTYPE such as the one Illustrator writes is read and dropped),
and a new document is built from the elements and attributes below. Whatever is not listed never
reaches the output: scripts, event handlers, foreignObject, animation, images, links, comments,
processing instructions, other namespaces. References may only point inside the document
(`href="#id"`, `url(#id)`). CSS is not copied: the declarations of `style` attributes and of
simple `.class` rules in `<style>` become presentation attributes, so the file needs no CSS at all.

No maintained Python library does this: the ones on PyPI are prototypes or thin bindings with a
single maintainer (svg-sanitize 0.2 calls itself a prototype), so the allow-list is ours, kept
small enough to read in one sitting.
"""

from __future__ import annotations

import re

# The standard ElementTree only builds and writes the output; all parsing is defusedxml's.
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import defusedxml
import defusedxml.ElementTree as SafeET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# A logo is a few hundred shapes; these bounds keep parsing and the browser's rendering cheap.
MAX_ELEMENTS = 5000
MAX_DEPTH = 64
# Elements drawn once <use> copies are expanded: a <use> of a group with a <use> of a group ...
# multiplies, so <use> may not copy anything that itself holds a <use>, and the total is capped.
MAX_RENDERED = 20000

ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line",
        "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
        "clipPath", "mask", "pattern",
    }
)  # fmt: skip
DRAWN = frozenset(
    {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "use"}
)
# Dropped, but their children kept: a link around shapes is common, the shapes are the logo.
UNWRAPPED = frozenset({"a", "switch"})
# Elements whose text is drawn; everywhere else text is whitespace or something to drop.
TEXT_ELEMENTS = frozenset({"text", "tspan"})
# Elements that may refer to another element of the same document.
HREF_ELEMENTS = frozenset({"use", "linearGradient", "radialGradient", "pattern"})

# Presentation properties: accepted as attributes, and taken from `style` and `.class` rules.
PRESENTATION = frozenset(
    {
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "clip-path", "clip-rule", "mask", "color", "display",
        "visibility", "stop-color", "stop-opacity", "font-family", "font-size", "font-weight",
        "font-style", "text-anchor", "letter-spacing", "word-spacing", "dominant-baseline",
        "paint-order", "shape-rendering", "vector-effect", "overflow",
    }
)  # fmt: skip
GEOMETRY = frozenset(
    {
        "id", "x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
        "fx", "fy", "fr", "d", "points", "offset", "dx", "dy", "transform", "viewBox",
        "preserveAspectRatio", "gradientUnits", "gradientTransform", "spreadMethod",
        "clipPathUnits", "maskUnits", "maskContentUnits", "patternUnits",
        "patternContentUnits", "patternTransform", "pathLength", "textLength", "lengthAdjust",
    }
)  # fmt: skip
ATTRIBUTES = PRESENTATION | GEOMETRY

_ID = r"[A-Za-z_][\w.:-]*"
_LOCAL_HREF = re.compile(rf"#{_ID}")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_LOCAL_URL_TARGET = re.compile(rf"#{_ID}")
# Characters with no business in a length, colour, list of numbers or font name; a value with
# one of them is dropped rather than repaired (`\` escapes and `@` are how CSS smuggles things).
_UNSAFE_VALUE = re.compile(r"[\\<>@{}\x00-\x08\x0b\x0c\x0e-\x1f]|expression|javascript", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR = re.compile(r"\.(-?[A-Za-z_][\w-]*)")


class SvgRefused(ValueError):
    """The file cannot become a safe logo; `code` says why (providers/logos.py words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sanitise_svg(data: bytes) -> bytes:
    """The logo rebuilt from the allow-list, as UTF-8 bytes; SvgRefused when that is impossible."""
    source = _parse(data)
    _check_size(source)
    rules = _class_rules(source)
    root = _rebuild(source, rules)
    if root is None:
        raise SvgRefused("not_svg")
    _check_rendered(root)
    if not any(_local(el.tag) in DRAWN for el in root.iter()):
        raise SvgRefused("empty")
    _give_viewbox(root)
    return ET.tostring(root, encoding="unicode").encode("utf-8")


# --- Reading --------------------------------------------------------------------------------


def _parse(data: bytes) -> ET.Element:
    try:
        # forbid_dtd stays off: a DOCTYPE without entities is inert (nothing is fetched) and is
        # dropped on rebuild; entity declarations and external references are refused.
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
        raise SvgRefused("entities") from exc
    except (defusedxml.DefusedXmlException, ET.ParseError, ValueError) as exc:
        raise SvgRefused("malformed") from exc


def _check_size(source: ET.Element) -> None:
    count = 0
    stack: list[tuple[ET.Element, int]] = [(source, 1)]
    while stack:  # iterative: a deep file must not exhaust Python's recursion before we refuse
        element, depth = stack.pop()
        count += 1
        if count > MAX_ELEMENTS or depth > MAX_DEPTH:
            raise SvgRefused("too_complex")
        stack.extend((child, depth + 1) for child in element)


def _local(tag: object) -> str:
    """The SVG element name of `tag`, or "" for anything else (another namespace, a comment).

    Elements without a namespace count as SVG: hand-written files often leave out xmlns, and the
    rebuilt file gets it."""
    if not isinstance(tag, str):
        return ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return name if namespace == SVG_NS else ""
    return tag


# --- CSS: only what becomes presentation attributes -----------------------------------------


def _declarations(css: str) -> Iterator[tuple[str, str]]:
    for declaration in css.split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if colon and name in PRESENTATION:
            value = value.removesuffix("!important").strip()
            if _safe_value(value):
                yield name, value


def _class_rules(source: ET.Element) -> list[tuple[frozenset[str], list[tuple[str, str]]]]:
    """The `.a, .b { fill: ... }` rules of the file's <style> elements, in document order.

    Other selectors are skipped, and so is a whole stylesheet with at-rules or escapes: an
    element keeps its own attributes instead of a look the rule would have given it."""
    rules = []
    for element in source.iter():
        if _local(element.tag) != "style" or not element.text:
            continue
        css = _CSS_COMMENT.sub("", element.text)
        if "@" in css or "\\" in css:
            continue
        for selectors, body in _CSS_RULE.findall(css):
            names = [s.strip() for s in selectors.split(",")]
            if all(_CLASS_SELECTOR.fullmatch(n) for n in names):
                classes = frozenset(n[1:] for n in names)
                rules.append((classes, list(_declarations(body))))
    return rules


def _safe_value(value: str) -> bool:
    if _UNSAFE_VALUE.search(value):
        return False
    # Paint servers, clip paths and masks of this document only: url(#id), never a file or site.
    return all(_LOCAL_URL_TARGET.fullmatch(target.strip()) for _, target in _URL.findall(value))


# --- Rebuilding -----------------------------------------------------------------------------


def _rebuild(
    source: ET.Element, rules: list[tuple[frozenset[str], list[tuple[str, str]]]]
) -> ET.Element | None:
    if _local(source.tag) != "svg":
        return None
    root = ET.Element("svg", {"xmlns": SVG_NS, **_attributes(source, "svg", rules)})
    _copy_children(source, root, rules)
    return root


def _copy_children(
    source: ET.Element,
    target: ET.Element,
    rules: list[tuple[frozenset[str], list[tuple[str, str]]]],
) -> None:
    in_text = _local(target.tag) in TEXT_ELEMENTS
    for child in source:
        name = _local(child.tag)
        if name in ELEMENTS:
            attributes = _attributes(child, name, rules)
            if name == "use" and "href" not in attributes:
                continue  # it pointed outside the document, or nowhere
            copy = ET.SubElement(target, name, attributes)
            if name in TEXT_ELEMENTS:
                copy.text = child.text
            _copy_children(child, copy, rules)
            if in_text:
                copy.tail = child.tail
        elif name in UNWRAPPED:
            _copy_children(child, target, rules)


def _attributes(
    element: ET.Element,
    name: str,
    rules: list[tuple[frozenset[str], list[tuple[str, str]]]],
) -> dict[str, str]:
    """Allowed attributes, then class rules, then the `style` attribute: CSS's own precedence."""
    kept = {k: v for k, v in element.attrib.items() if k in ATTRIBUTES and _safe_value(v)}
    classes = set(element.get("class", "").split())
    for selected, declarations in rules:
        if classes & selected:
            kept.update(declarations)
    kept.update(_declarations(element.get("style", "")))
    href = element.get("href", element.get(XLINK_HREF, "")).strip()
    if name in HREF_ELEMENTS and _LOCAL_HREF.fullmatch(href):
        kept["href"] = href
    return kept


def _check_rendered(root: ET.Element) -> None:
    """Refuse files whose <use> copies would multiply what the browser draws."""
    ids = {}
    for element in root.iter():
        if element.get("id"):
            ids.setdefault(element.get("id"), element)
    size: dict[ET.Element, int] = {}
    holds_use: dict[ET.Element, bool] = {}
    # Reversed document order visits every element after all of its descendants.
    for element in reversed(list(root.iter())):
        size[element] = 1 + sum(size[child] for child in element)
        holds_use[element] = element.tag == "use" or any(holds_use[c] for c in element)
    rendered = size[root]
    for use in root.iter("use"):
        copied = ids.get(use.get("href", "")[1:])
        if copied is None:
            continue
        if holds_use[copied]:
            raise SvgRefused("too_complex")
        rendered += size[copied]
    if rendered > MAX_RENDERED:
        raise SvgRefused("too_complex")


_PLAIN_LENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*")


def _give_viewbox(root: ET.Element) -> None:
    """Without a viewBox an SVG does not scale to the size the page gives it, it is cropped."""
    if root.get("viewBox"):
        return
    width = _PLAIN_LENGTH.fullmatch(root.get("width", ""))
    height = _PLAIN_LENGTH.fullmatch(root.get("height", ""))
    if width and height:
        root.set("viewBox", f"0 0 {width.group(1)} {height.group(1)}")
