"""Layout problems in a PDF, read from its glyph boxes and drawn lines: what the tests assert on.

`problems(pdf)` reads every page with PDFium (pypdfium2) and returns what a reader
would notice before reading a word:

- ``overlap``: two glyphs whose ink boxes intersect (words piled onto each other);
- ``off-page``: a glyph outside the page, or inside the strip a printer cannot print;
- ``crosses-cell``: a glyph crossed by a drawn vertical or horizontal line (a table
  border, a box edge): text running out of its cell;
- ``signature-only``: a page whose only content, running header and footer aside, is
  the signature/seal block;
- ``clipped``: a glyph cut by a clipping path (an SVG viewport, `overflow: hidden`)
  or by the bottom edge of the page.

Why PDFium and not pdfplumber: both give glyph boxes and the drawn lines and
rectangles, but pdfplumber (pdfminer.six) parses content streams in pure Python:
measured 63-90 ms a page on our Chinese PDFs (2.7 s for 31 pages), while PDFium does
the same in C in 6-16 ms, and it also says which text a clipping path actually cuts.
PDFium also reports *ink* boxes (the glyph's outline), which is what overlaps on
paper, where pdfminer reports advance boxes as tall as the font size.

Everything works glyph by glyph, never word by word: Chinese runs have no spaces, so
a "word" of CJK text is a whole phrase, and two phrases piled onto each other are
found because their glyphs intersect. Words and phrases only name the text in the
report and decide which neighbours are allowed to touch.

Coordinates in this module are PDF points (1/72 in) from the page's top-left corner,
y growing downwards; reports give millimetres.
"""

from __future__ import annotations

import bisect
import ctypes
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from workflow.errors import InvalidInput
from workflow.i18n import t

KINDS = ("overlap", "off-page", "crosses-cell", "signature-only", "clipped")

MM = 72 / 25.4  # points per millimetre

# Printers cannot print the outer 3-6.35 mm of a sheet (4.2 mm is a common laser
# figure, 6.35 mm a common inkjet one); 5 mm is the strip we keep free of text.
PRINTABLE_MARGIN = 5 * MM

# Texts a diagonal "do not circulate" mark may carry. A rotated (or very large) run
# containing one of them is the watermark: it overlaps the page on purpose.
WATERMARKS = ("内部资料", "请勿外传", "内部文件", "机密", "INTERNAL", "CONFIDENTIAL", "DO NOT CIRCULATE", "DRAFT", "草稿")

# Labels of signature, seal and fill/review blocks (compared without case, spaces and a
# final colon). A page whose body is these, the names printed in them and nothing else
# is a lone signature page.
SIGNATURE_LABELS = (
    "签字", "签名", "签章", "签字日期", "签署日期", "日期", "盖章", "盖章处", "公章", "(盖章)", "（盖章）", "签字盖章",
    "签字确认", "我方", "客户方", "甲方", "乙方", "甲方（盖章）", "乙方（盖章）", "填写人", "审核人", "审批人", "批准人",
    "经办人", "负责人", "Signature", "Signatures", "Signed", "Date", "Seal", "Stamp", "Company seal", "Seal here",
    "Our company", "Our side", "For the customer", "Customer", "For us", "Name", "Prepared by", "Filled in by",
    "Reviewed by", "Approved by", "Signed for the customer", "Signed for us",
)


@dataclass(frozen=True)
class Problem:
    """One thing a reader would see is wrong, on one page (counted from 1)."""

    page: int
    kind: str  # one of KINDS
    text: str  # the text concerned, as printed (for an overlap: both texts, "a / b")
    detail: str  # where and by how much, for the developer who fixes the template

    def __str__(self) -> str:
        return f"page {self.page} {self.kind}: {self.text!r}: {self.detail}"


@dataclass
class Glyph:
    """One printed character: its ink box (points, top-left origin) and what it belongs to."""

    index: int  # position in PDFium's text order on the page
    char: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # the font's ascent-to-descent height at this size (PDFium's loose box): the unit of tolerances
    baseline: float
    origin_x: float
    rotated: bool
    angle: float = 0.0  # radians, counter-clockwise
    word: int = -1  # glyphs of one word (no space inside; a CJK word is a whole phrase)
    phrase: int = -1  # words on one line with single spaces between them: what a reader sees as one text
    watermark: bool = False
    clip: tuple[float, float, float, float] | None = None  # the clipping box that cuts this glyph's object, if any
    obj: int = 0  # address of PDFium's text object: one per text-showing operator (a line of a cell, or one SVG glyph)


@dataclass(frozen=True)
class Edge:
    """A drawn straight line, vertical or horizontal: a border, a rule, a box side."""

    vertical: bool
    at: float  # x of a vertical edge, y of a horizontal one
    lo: float  # where it starts and ends along its length
    hi: float
    width: float  # stroke width


@dataclass
class PageLayout:
    """What one page prints: glyphs in text order, drawn edges, and the phrases they form."""

    number: int
    width: float
    height: float
    glyphs: list[Glyph] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)  # phrase id -> its text

    def text(self, phrase: int) -> str:
        """A phrase as a report names it: a 99,000-character token is shortened to its first 60."""
        value = self.phrases[phrase]
        return value if len(value) <= 80 else f"{value[:60]}… ({len(value):,} characters)"


# -- reading -------------------------------------------------------------------------


def read_layout(pdf: bytes | Path) -> list[PageLayout]:
    """Every page's glyphs and drawn edges; `InvalidInput` if `pdf` is not a readable PDF."""
    name = str(pdf) if isinstance(pdf, Path) else "<bytes>"
    if isinstance(pdf, Path) and not pdf.is_file():
        raise InvalidInput(t(f"找不到 PDF 文件 {name}：请检查路径", f"no PDF file at {name}: check the path"))
    source = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    if not source.lstrip()[:5].startswith(b"%PDF-"):
        raise InvalidInput(
            t(f"{name} 不是 PDF 文件（开头不是 %PDF-）：请传入渲染得到的 PDF", f"{name} is not a PDF (it does not start with %PDF-): pass the rendered PDF")
        )
    try:
        document = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as exc:
        raise InvalidInput(t(f"无法读取 PDF {name}：{exc}；请重新渲染", f"cannot read the PDF {name}: {exc}; render it again")) from exc
    try:
        return [_read_page(document, i) for i in range(len(document))]
    finally:
        document.close()


def _read_page(document: pdfium.PdfDocument, index: int) -> PageLayout:
    page = document[index]
    try:
        width, height = page.get_size()
        layout = PageLayout(index + 1, width, height)
        clips: dict[int, tuple[float, float, float, float]] = {}
        layout.edges = list(_edges(page.raw, height, clips))
        textpage = page.get_textpage()
        try:
            layout.glyphs = _glyphs(textpage.raw, height, clips)
        finally:
            textpage.close()
    finally:
        page.close()
    _group(layout)
    return layout


def _glyphs(raw: object, height: float, clips: dict[int, tuple[float, float, float, float]]) -> list[Glyph]:
    left, right, low, high = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    loose = pdfium_c.FS_RECTF()
    per_object: dict[int, tuple[float, float, bool]] = {}
    glyphs: list[Glyph] = []
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        # Generated characters are the spaces and line ends PDFium infers between text
        # objects; they are not printed. Spaces and zero-area glyphs have no ink to collide.
        if code in (0, 0xFFFE) or pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            glyphs.append(_BREAK)
            continue
        char = chr(code)
        if char.isspace():
            glyphs.append(_BREAK)
            continue
        pdfium_c.FPDFText_GetCharBox(raw, i, left, right, low, high)
        if right.value - left.value <= 0 or high.value - low.value <= 0:
            glyphs.append(_BREAK)
            continue
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        address = _address(obj)
        # One text object has one font, size and direction: its loose box height and angle once.
        known = per_object.get(address)
        if known is None:
            pdfium_c.FPDFText_GetLooseCharBox(raw, i, loose)
            angle = max(pdfium_c.FPDFText_GetCharAngle(raw, i), 0.0)
            # radians in [0, 2π); a hundredth of a radian is well below any intended rotation
            known = per_object[address] = (loose.top - loose.bottom, angle, min(angle, 2 * math.pi - angle) > 0.01)
        pdfium_c.FPDFText_GetCharOrigin(raw, i, ox, oy)
        glyph = Glyph(
            i, char, left.value, height - high.value, right.value, height - low.value,
            size=max(known[0], high.value - low.value, 1.0),
            baseline=height - oy.value, origin_x=ox.value, rotated=known[2], angle=known[1],
            obj=address, clip=clips.get(address) if clips else None,
        )
        glyphs.append(glyph)
    return glyphs


# A stand-in for a space or a generated character: it ends a word.
_BREAK = Glyph(-1, " ", 0, 0, 0, 0, 1, 0, 0, False)

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer  # noqa: N806 (the usual names of an affine matrix)
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _matrix(obj: object) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _clip_box(obj: object, height: float) -> tuple[float, float, float, float] | None:
    """The box of the clipping path PDFium keeps for `obj` (page space, top-left origin).

    PDFium drops a clipping path that leaves its object whole, so a clip that is still
    there cuts something: exactly the text an SVG viewport or `overflow: hidden` hides.
    """
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    box: tuple[float, float, float, float] | None = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for p in range(pdfium_c.FPDFClipPath_CountPaths(clip)):  # -1 (no clip) gives no paths
        xs, ys = [], []
        for s in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, p)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, p, s)
            if segment and pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                xs.append(x.value)
                ys.append(height - y.value)
        if xs:
            part = (min(xs), min(ys), max(xs), max(ys))
            # several paths clip one after another: what stays visible is their intersection
            box = part if box is None else (max(box[0], part[0]), max(box[1], part[1]), min(box[2], part[2]), min(box[3], part[3]))
    return box


def _address(obj: Any) -> int:
    """The address a ctypes pointer holds (0 for NULL): the identity of a PDFium object."""
    return ctypes.addressof(obj.contents) if obj else 0


def _edges(page: object, height: float, clips: dict[int, tuple[float, float, float, float]]) -> Iterator[Edge]:
    """Every straight vertical or horizontal line a page draws; records which text objects a clip cuts."""
    stack: list[tuple[object, Matrix, bool, tuple[float, float, float, float] | None]] = [
        (pdfium_c.FPDFPage_GetObject(page, i), _IDENTITY, True, None) for i in range(pdfium_c.FPDFPage_CountObjects(page))
    ]
    while stack:
        obj, parent, top_level, inherited = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        # Clips of page-level objects are in page space; inside a form only the form's own clip is used
        # (nested clips are in form space, and WeasyPrint clips SVG viewports at page level).
        clip = (_clip_box(obj, height) if top_level else None) or inherited
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            m = _compose(_matrix(obj), parent)
            count = pdfium_c.FPDFFormObj_CountObjects(obj)
            stack.extend((pdfium_c.FPDFFormObj_GetObject(obj, j), m, False, clip) for j in range(count))
        elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            if clip is not None:
                clips[_address(obj)] = clip
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield from _path_edges(obj, _compose(_matrix(obj), parent), height, clip)


def _path_edges(path: object, m: Matrix, height: float, clip: tuple[float, float, float, float] | None) -> Iterator[Edge]:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(path, fill, stroke):
        return
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if stroke.value and pdfium_c.FPDFPageObj_GetStrokeColor(path, r, g, b, a) and a.value == 0:
        stroke.value = 0  # a transparent stroke draws nothing
    if not stroke.value and not fill.value:
        return
    width = ctypes.c_float()
    scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0
    line_width = (width.value if pdfium_c.FPDFPageObj_GetStrokeWidth(path, width) else 1.0) * scale
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[list[tuple[float, float]]] = []
    closed: list[bool] = []
    for s in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, s)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        px, py = _apply(m, x.value, y.value)
        point = (px, height - py)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not points:
            points.append([point])
            closed.append(False)
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            points[-1].append(point)
        else:  # a Bézier control or end point: the curve is not a straight edge, start afresh after it
            points.append([point])
            closed.append(False)
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            closed[-1] = True
    if stroke.value:
        for polyline, is_closed in zip(points, closed, strict=True):
            pairs = list(zip(polyline, polyline[1:], strict=False))
            if is_closed and len(polyline) > 2:
                pairs.append((polyline[-1], polyline[0]))
            for (ax, ay), (bx, by) in pairs:
                edge = _straight(ax, ay, bx, by, line_width, clip)
                if edge is not None:
                    yield edge
        return
    # Filled only. WeasyPrint draws the border of a box (not of a collapsed table cell) as a
    # filled ring: the outer rectangle and the inner one in one path. Each side of the ring
    # that has a thickness is a line along its middle. A lone thin filled rectangle is a
    # rule; a wide one is a background, whose edge lies under a border anyway.
    boxes = [_box(poly) for poly in points]
    rects = [b for b in boxes if b is not None]
    if len(rects) == 2 and len(boxes) == 2:
        outer, inner = sorted(rects, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
        if outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]:
            x0, top, x1, bottom = outer
            sides = (
                (inner[0] - x0, ((x0 + inner[0]) / 2, top, (x0 + inner[0]) / 2, bottom)),
                (x1 - inner[2], ((x1 + inner[2]) / 2, top, (x1 + inner[2]) / 2, bottom)),
                (inner[1] - top, (x0, (top + inner[1]) / 2, x1, (top + inner[1]) / 2)),
                (bottom - inner[3], (x0, (bottom + inner[3]) / 2, x1, (bottom + inner[3]) / 2)),
            )
            for thickness, (ax, ay, bx, by) in sides:
                if thickness > 0.05:  # a side of no thickness is not drawn
                    edge = _straight(ax, ay, bx, by, thickness, clip)
                    if edge is not None:
                        yield edge
            return
    for box in rects:
        bx0, btop, bx1, bbottom = box
        w, h = bx1 - bx0, bbottom - btop
        if w <= THIN_FILL < h:
            edge = _straight((bx0 + bx1) / 2, btop, (bx0 + bx1) / 2, bbottom, w, clip)
        elif h <= THIN_FILL < w:
            edge = _straight(bx0, (btop + bbottom) / 2, bx1, (btop + bbottom) / 2, h, clip)
        else:
            continue
        if edge is not None:
            yield edge


def _box(polyline: list[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The rectangle a closed subpath draws, if it is one with sides straight up and across."""
    if not 4 <= len(polyline) <= 5:
        return None
    corners = polyline[:4]
    for (ax, ay), (bx, by) in zip(corners, [*corners[1:], corners[0]], strict=True):
        if abs(ax - bx) > AXIS_SLACK and abs(ay - by) > AXIS_SLACK:
            return None
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return (min(xs), min(ys), max(xs), max(ys))


# A filled rectangle at most 2 pt across (a 0.7 mm rule) reads as a line, not a background.
THIN_FILL = 2.0
# A segment whose ends differ by less than 0.2 pt across its direction is straight up or across:
# WeasyPrint's borders are exact; anything more slanted is a drawing, not a cell edge.
AXIS_SLACK = 0.2


def _straight(ax: float, ay: float, bx: float, by: float, width: float, clip: tuple[float, float, float, float] | None) -> Edge | None:
    if abs(ax - bx) <= AXIS_SLACK and abs(ay - by) > AXIS_SLACK:
        lo, hi = min(ay, by), max(ay, by)
        if clip is not None:
            lo, hi = max(lo, clip[1]), min(hi, clip[3])
        return Edge(True, (ax + bx) / 2, lo, hi, width) if hi > lo else None
    if abs(ay - by) <= AXIS_SLACK and abs(ax - bx) > AXIS_SLACK:
        lo, hi = min(ax, bx), max(ax, bx)
        if clip is not None:
            lo, hi = max(lo, clip[0]), min(hi, clip[2])
        return Edge(False, (ay + by) / 2, lo, hi, width) if hi > lo else None
    return None


def _group(layout: PageLayout) -> None:
    """Assign words and phrases (in PDFium's text order) and drop the spaces.

    A phrase is what one text-showing operator prints: WeasyPrint writes each line of
    each cell as its own operator, so text that overflows into the next cell stays apart
    from that cell's text even when they touch. Its SVG text is the exception, one
    operator per glyph: single-glyph operators that follow each other on a line join.
    """
    per_object: dict[int, int] = defaultdict(int)
    for glyph in layout.glyphs:
        per_object[glyph.obj] += 1
    word = phrase = -1
    texts: list[list[str]] = []
    previous: Glyph | None = None
    spaced = False  # a space (or a generated break) came since `previous`
    kept: list[Glyph] = []
    for glyph in layout.glyphs:
        if glyph is _BREAK:
            spaced = True
            continue
        new_word = new_phrase = previous is None
        if previous is not None:
            size = max(previous.size, glyph.size)
            if glyph.rotated or previous.rotated:
                # Rotated text (a diagonal mark) climbs along its own baseline: one line while the
                # angle holds and each glyph follows the last within 1.5 font heights.
                step = math.hypot(glyph.origin_x - previous.origin_x, glyph.baseline - previous.baseline)
                same_line = abs(glyph.angle - previous.angle) < 0.01 and step <= 1.5 * size
                forward, gap = True, 0.0
            else:
                same_line = abs(glyph.baseline - previous.baseline) <= 0.25 * size
                forward = glyph.origin_x >= previous.origin_x - 0.1 * size
                gap = glyph.x0 - previous.x1
            # A word ends at a space, a new line, a step back (another cell) or a jump wider than a
            # space (text objects side by side); a phrase survives one space but not the others.
            other_object = glyph.obj != previous.obj and not (per_object[glyph.obj] == per_object[previous.obj] == 1)
            new_phrase = not same_line or not forward or gap > 0.7 * size or other_object
            new_word = new_phrase or spaced or gap > 0.25 * size
        if new_phrase:
            phrase += 1
            texts.append([])
        elif spaced:
            texts[-1].append(" ")
        if new_word:
            word += 1
        glyph.word, glyph.phrase = word, phrase
        texts[-1].append(glyph.char)
        kept.append(glyph)
        previous, spaced = glyph, False
    layout.glyphs = kept
    layout.phrases = ["".join(parts) for parts in texts]


def _mark_watermarks(layout: PageLayout, marks: Sequence[str]) -> None:
    """Glyphs of a rotated (or outsized) phrase that carries a known mark are the watermark."""
    if not marks:
        return
    wanted = [m.replace(" ", "").casefold() for m in marks]
    sizes = sorted(g.size for g in layout.glyphs)
    body = sizes[len(sizes) // 2] if sizes else 0.0
    by_phrase: dict[int, list[Glyph]] = defaultdict(list)
    for glyph in layout.glyphs:
        by_phrase[glyph.phrase].append(glyph)
    for glyphs in by_phrase.values():
        text = "".join(g.char for g in glyphs).casefold()
        # 2.5 times the page's median glyph height: a heading is at most ~2x body text; a mark is bigger.
        if (glyphs[0].rotated or glyphs[0].size >= 2.5 * body) and any(m in text for m in wanted):
            for glyph in glyphs:
                glyph.watermark = True


# -- the checks ----------------------------------------------------------------------------

# Buckets of a uniform grid (points): pairs are only compared within a bucket, so a page of
# 3,000 glyphs costs a few thousand comparisons instead of millions.
CELL = 24.0


def _grid(glyphs: Iterable[Glyph]) -> dict[tuple[int, int], list[Glyph]]:
    grid: dict[tuple[int, int], list[Glyph]] = defaultdict(list)
    for g in glyphs:
        for cx in range(int(g.x0 // CELL), int(g.x1 // CELL) + 1):
            for cy in range(int(g.top // CELL), int(g.bottom // CELL) + 1):
                grid[(cx, cy)].append(g)
    return grid


def _where(x: float, y: float) -> str:
    return f"x {x / MM:.1f} mm, y {y / MM:.1f} mm"


def _overlaps(layout: PageLayout, grid: dict[tuple[int, int], list[Glyph]]) -> list[Problem]:
    """Glyphs of different texts whose ink boxes intersect.

    Tolerance: the intersection must exceed max(0.5 pt, 8% of the smaller glyph's
    font height) both across and down. Ink boxes of text laid out correctly never
    meet: a line height of 1.2 or more leaves ~20% of the font height between lines,
    a space ~25% between words. Kerned neighbours ("AV", "Te") do meet, by up to ~10%
    of the glyph width, so two glyphs next to each other in one word are left alone
    (characters of one word sharing an edge); any other pair that intersects that much
    is text printed over text.
    """
    found: dict[tuple[int, int], tuple[float, Glyph, Glyph]] = {}
    for cell, bucket in grid.items():
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                w = min(a.x1, b.x1) - max(a.x0, b.x0)
                h = min(a.bottom, b.bottom) - max(a.top, b.top)
                tol = max(0.5, 0.08 * min(a.size, b.size))
                if w <= tol or h <= tol:
                    continue
                # A pair shares every cell its intersection covers: count it only in the cell
                # holding the intersection's top-left corner, so each pair is judged once.
                if (int(max(a.x0, b.x0) // CELL), int(max(a.top, b.top) // CELL)) != cell:
                    continue
                # neighbours in a word may touch (kerning); a ligature gives its letters one box;
                # glyphs of one rotated word have overlapping upright boxes
                same_box = (a.x0, a.top, a.x1, a.bottom) == (b.x0, b.top, b.x1, b.bottom)
                if a.word == b.word and (abs(a.index - b.index) == 1 or same_box or a.rotated):
                    continue
                pair = (a.phrase, b.phrase) if a.phrase <= b.phrase else (b.phrase, a.phrase)
                if pair not in found or w * h > found[pair][0]:
                    found[pair] = (w * h, a, b)
    out = []
    for (pa, pb), (_, a, b) in sorted(found.items()):
        first, second = layout.text(pa), layout.text(pb)
        text = first if pa == pb else f"{first} / {second}"
        out.append(
            Problem(
                layout.number, "overlap", text,
                f"{a.char!r} and {b.char!r} print over each other at {_where(max(a.x0, b.x0), max(a.top, b.top))}",
            )
        )
    return out


def _off_page(layout: PageLayout, glyphs: list[Glyph], margin: float) -> list[Problem]:
    """Glyphs past the page's edge (0.5 pt slack for rounding), or within `margin` of it."""
    worst: dict[int, tuple[str, Glyph]] = {}
    w, h = layout.width, layout.height
    for g in glyphs:
        if g.top < h < g.bottom - 0.5:
            continue  # cut by the bottom edge: reported as clipped
        if g.x0 < -0.5 or g.top < -0.5 or g.x1 > w + 0.5 or g.bottom > h + 0.5:
            if g.phrase not in worst or not worst[g.phrase][0].startswith("runs off"):  # where it starts to run off
                side = "left" if g.x0 < -0.5 else "right" if g.x1 > w + 0.5 else "top" if g.top < -0.5 else "bottom"
                worst[g.phrase] = (f"runs off the {side} edge of the page", g)
        elif g.phrase not in worst and (g.x0 < margin or g.top < margin or g.x1 > w - margin or g.bottom > h - margin):
            worst[g.phrase] = (f"within {margin / MM:.0f} mm of the page edge, where printers cannot print", g)
    return [
        Problem(layout.number, "off-page", layout.text(p), f"{why} (at {_where(g.x0, g.top)})")
        for p, (why, g) in sorted(worst.items())
    ]


def _crossings(layout: PageLayout, glyphs: list[Glyph], grid: dict[tuple[int, int], list[Glyph]]) -> list[Problem]:
    """Glyphs a vertical or horizontal line runs through.

    A line crosses a glyph when it passes inside the glyph's ink box, away from the box's
    sides by max(0.3 pt + half the line's width, 15% of the box): a border that merely
    touches a glyph, or an underline under a descender, is not text leaving its cell.
    The line must also run along at least half of the glyph's height (or width) so that
    the end of a rule next to a word does not count.
    """
    found: dict[int, tuple[Edge, Glyph]] = {}
    for edge in layout.edges:
        candidates: set[int] = set()
        fixed = int(edge.at // CELL)
        for c in range(int(edge.lo // CELL), int(edge.hi // CELL) + 1):
            for g in grid.get((fixed, c) if edge.vertical else (c, fixed), ()):
                if g.index in candidates or g.phrase in found:
                    continue
                candidates.add(g.index)
                a0, a1, b0, b1 = (g.x0, g.x1, g.top, g.bottom) if edge.vertical else (g.top, g.bottom, g.x0, g.x1)
                inset = max(0.3 + edge.width / 2, 0.15 * (a1 - a0))
                if not a0 + inset < edge.at < a1 - inset:
                    continue
                if min(b1, edge.hi) - max(b0, edge.lo) < 0.5 * (b1 - b0):
                    continue
                found[g.phrase] = (edge, g)
    # A vertical line may also fall between two words of one phrase (in the space): the
    # text still runs across it. Phrases are one line each, so their extent is a box.
    boxes: dict[int, list[float]] = {}
    for g in glyphs:
        box = boxes.setdefault(g.phrase, [g.x0, g.top, g.x1, g.bottom])
        box[0], box[1], box[2], box[3] = min(box[0], g.x0), min(box[1], g.top), max(box[2], g.x1), max(box[3], g.bottom)
    verticals = sorted((e for e in layout.edges if e.vertical), key=lambda e: e.at)
    positions = [e.at for e in verticals]
    for p, (x0, top, x1, bottom) in boxes.items():
        if p in found:
            continue
        for k in range(bisect.bisect_right(positions, x0), bisect.bisect_left(positions, x1)):
            edge = verticals[k]
            inset = 0.3 + edge.width / 2
            if x0 + inset < edge.at < x1 - inset and min(bottom, edge.hi) - max(top, edge.lo) >= 0.5 * (bottom - top):
                left = max((g for g in glyphs if g.phrase == p and g.x1 <= edge.at), key=lambda g: g.x1, default=None)
                found[p] = (edge, left or next(g for g in glyphs if g.phrase == p))
                break
    out = []
    for p, (edge, g) in sorted(found.items()):
        line = f"a vertical line at x {edge.at / MM:.1f} mm" if edge.vertical else f"a horizontal line at y {edge.at / MM:.1f} mm"
        out.append(Problem(layout.number, "crosses-cell", layout.text(p), f"{line} runs through the text at {g.char!r}: it leaves its cell"))
    return out


def _clipped(layout: PageLayout, glyphs: list[Glyph]) -> list[Problem]:
    """Glyphs cut by their clipping box (0.5 pt slack) or by the bottom edge of the page."""
    found: dict[int, str] = {}
    for g in glyphs:
        if g.phrase in found:
            continue
        if g.top < layout.height < g.bottom - 0.5:
            found[g.phrase] = f"cut by the bottom edge of the page at {_where(g.x0, layout.height)}"
        elif g.clip is not None:
            x0, top, x1, bottom = g.clip
            if g.x0 < x0 - 0.5 or g.x1 > x1 + 0.5 or g.top < top - 0.5 or g.bottom > bottom + 0.5:
                found[g.phrase] = (
                    f"{g.char!r} falls outside the clipping box {_where(x0, top)} to {x1 / MM:.1f} mm, {bottom / MM:.1f} mm:"
                    " part of the text is not printed"
                )
    return [Problem(layout.number, "clipped", layout.text(p), why) for p, why in sorted(found.items())]


# -- signature-only pages ----------------------------------------------------------------------


@dataclass
class _Line:
    top: float
    bottom: float
    phrases: list[str]

    @property
    def text(self) -> str:
        return " | ".join(self.phrases)


def _lines(layout: PageLayout) -> list[_Line]:
    """The page's upright, non-watermark text as lines (glyphs sharing a baseline), top to bottom."""
    rows: list[tuple[float, float, float, dict[int, None]]] = []  # baseline, top, bottom, phrase ids in order
    for g in sorted((g for g in layout.glyphs if not g.watermark and not g.rotated), key=lambda g: (g.baseline, g.x0)):
        if rows and abs(g.baseline - rows[-1][0]) <= 0.25 * g.size:
            base, top, bottom, ids = rows[-1]
            ids[g.phrase] = None
            rows[-1] = (base, min(top, g.top), max(bottom, g.bottom), ids)
        else:
            rows.append((g.baseline, g.top, g.bottom, {g.phrase: None}))
    return [_Line(top, bottom, [layout.phrases[p] for p in ids]) for _, top, bottom, ids in rows]


def _normal(text: str) -> str:
    # a label is compared without spaces, colons and the blanks drawn after it ("签字：______")
    return re.sub(r"[\s:：_＿…]+", "", text).casefold()


def _running(pages: list[list[_Line]]) -> set[tuple[int, str]]:
    """(rounded top, text with digits as #) of the lines every page prints in the same place.

    The running header and footer repeat on every page at the same height, with only the
    page number changing; body text does not (a table header repeated on later pages sits
    lower on the first page, under the title). Needs two pages or more.
    """
    if len(pages) < 2:
        return set()
    keys = [{(round(line.top / 2), re.sub(r"\d+", "#", line.text)) for line in lines} for lines in pages]
    return set.intersection(*keys)


def _signature_only(layouts: list[PageLayout], labels: Sequence[str]) -> list[Problem]:
    """Pages after the first whose body is nothing but a signature/seal block.

    Heuristic: take the page's lines without the running header and footer. The block
    starts at the first line holding a known label (签字, 日期, 盖章处, Signature...).
    The page is a lone signature page when (1) every line above the block is itself
    labels only, (2) the block holds two distinct labels or more, and (3) besides labels
    the block prints at most 40 characters that are not copies of header text (the
    company and customer names it prefills are in the running header; a typed name and
    a date fit in 40). Real content (a paragraph, a table row) breaks (1) or (3).
    """
    wanted = {_normal(label) for label in labels}
    pages = [_lines(layout) for layout in layouts]
    running = _running(pages)
    out: list[Problem] = []
    for layout, lines in zip(layouts[1:], pages[1:], strict=True):
        keys = [(round(line.top / 2), re.sub(r"\d+", "#", line.text)) for line in lines]
        header = [line.text for line, key in zip(lines, keys, strict=True) if key in running]
        body = [line for line, key in zip(lines, keys, strict=True) if key not in running]
        first = next((i for i, line in enumerate(body) if any(_normal(p) in wanted for p in line.phrases)), None)
        if first is None or any(_normal(p) not in wanted for line in body[:first] for p in line.phrases):
            continue
        block = [p for line in body for p in line.phrases]
        found = list(dict.fromkeys(re.sub(r"[\s:：_＿…]+$", "", p.strip()) for p in block if _normal(p) in wanted))
        # a prefilled name (company, customer) is printed in the running header too
        other = sum(
            len(_normal(p)) for p in block if _normal(p) not in wanted and not (len(p.strip()) > 1 and any(p.strip() in h for h in header))
        )
        if len({_normal(p) for p in found}) >= 2 and other <= 40:
            out.append(
                Problem(
                    layout.number, "signature-only", " ".join(found),
                    f"the page holds only the signature block ({len(body)} lines, {(body[-1].bottom - body[0].top) / MM:.0f} mm tall)"
                    f" below the running header: the block was pushed off page {layout.number - 1} on its own",
                )
            )
    return out


# -- the public entry ----------------------------------------------------------------------------


def problems(
    pdf: bytes | Path,
    *,
    watermarks: Sequence[str] = WATERMARKS,
    signature_labels: Sequence[str] = SIGNATURE_LABELS,
    printable_margin: float = PRINTABLE_MARGIN,
) -> list[Problem]:
    """Every layout problem of `pdf`, page by page, each kind in the order of `KINDS`.

    `watermarks`: texts of a diagonal mark to leave out of every check;
    `signature_labels`: the words of a signature block; `printable_margin`: points.
    """
    layouts = read_layout(pdf)
    out: list[Problem] = []
    for layout in layouts:
        _mark_watermarks(layout, watermarks)
        glyphs = [g for g in layout.glyphs if not g.watermark]
        out += _off_page(layout, glyphs, printable_margin)
        # Glyphs wholly off the page are reported above and can neither overlap nor cross anything
        # printed; leaving them out keeps a 99,000-character line from costing seconds.
        w, h = layout.width, layout.height
        glyphs = [g for g in glyphs if g.x1 > 0 and g.x0 < w and g.bottom > 0 and g.top < h]
        grid = _grid(glyphs)
        out += _overlaps(layout, grid)
        out += _crossings(layout, glyphs, grid)
        out += _clipped(layout, glyphs)
    out += _signature_only(layouts, signature_labels)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(out, key=lambda p: (p.page, order[p.kind]))


def describe(found: Sequence[Problem]) -> str:
    """The problems one a line (an assertion message a developer can act on)."""
    return "\n".join(str(p) for p in found) if found else "no layout problems"
