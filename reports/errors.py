"""Why a PDF cannot be made: branches of the one error tree (`workflow.errors.KamError`).

    ReportError            this machine cannot render the PDF: `kam doctor` says what is missing
    ├── MissingFont        no Chinese font: a PDF would print empty boxes
    ├── MissingSubsetter   no HarfBuzz subsetter: each Chinese page would take ~50x longer
    ├── MissingRenderer    WeasyPrint (or the Pango it loads) cannot be imported
    └── RefusedResource    a template or document asked for a URL we do not serve
    TooManyPages           a document that would lay out past MAX_PAGES (an InvalidInput: the text, not the machine)

Each is a refusal (exit 1) whose message names the fix and `kam doctor`,
never an "internal error".
"""

from __future__ import annotations

from workflow.errors import InvalidInput, KamError
from workflow.i18n import t

CJK_FONT_FIX = "sudo apt-get install fonts-noto-cjk"
SUBSET_FIX = "sudo apt-get install libharfbuzz-subset0"
WEASYPRINT_FIX = "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 && pip install weasyprint"


class ReportError(KamError):
    """This machine cannot render the PDF."""

    code = "cannot-render"


class MissingFont(ReportError):
    """No font with Chinese glyphs is installed (fontconfig finds none)."""

    fix = CJK_FONT_FIX

    def __init__(self) -> None:
        super().__init__(
            t(
                f"没有可用的中文字体（fc-list :lang=zh 为空），PDF 会印出空框：{self.fix}，详见 kam doctor",
                f"no Chinese font found (fc-list :lang=zh is empty); PDFs would print empty boxes. Fix: {self.fix} "
                "(see kam doctor)",
            )
        )


class MissingSubsetter(ReportError):
    """The HarfBuzz subsetter WeasyPrint uses for fonts is not installed."""

    fix = SUBSET_FIX

    def __init__(self) -> None:
        super().__init__(
            t(
                f"缺少 HarfBuzz 字体子集库，每页中文 PDF 要慢约 50 倍：{self.fix}，详见 kam doctor",
                f"the HarfBuzz font subsetter is missing; each Chinese page would take ~50x longer. Fix: {self.fix} "
                "(see kam doctor)",
            )
        )


class MissingRenderer(ReportError):
    """WeasyPrint, or the Pango library it loads, cannot be imported."""

    fix = WEASYPRINT_FIX

    def __init__(self, detail: str) -> None:
        super().__init__(
            t(
                f"无法加载 PDF 排版引擎 WeasyPrint（“{detail}”）：{self.fix}，详见 kam doctor",
                f'cannot load the PDF renderer WeasyPrint ("{detail}"). Fix: {self.fix} (see kam doctor)',
            )
        )


class RefusedResource(ReportError):
    """A URL outside our packaged assets was requested during rendering."""

    def __init__(self, url: str) -> None:
        shown = repr(url[:200])
        super().__init__(
            t(
                f"拒绝读取 {shown}：PDF 只能使用 kam 自带的资源和 data: 地址",
                f"refused to fetch {shown}: only kam's packaged assets and data: URLs are allowed",
            )
        )
        self.url = url


class TooManyPages(InvalidInput):
    """A document whose layout passed the page limit: stopped there, so no render runs for minutes.

    The limit is on pages, not characters: a few thousand characters in a narrow table column lay out to more
    pages than a long paragraph, and pages are what layout time follows (~0.1-0.3 s each).
    """

    def __init__(self, limit: int, what: str = "", what_en: str = "") -> None:
        self.limit = limit
        zh_what, en_what = (f"{what}：", f"{what_en}: ") if what else ("", "")
        super().__init__(
            t(
                f"{zh_what}排版超过 {limit} 页的上限，已停止：请缩短长文本（尤其是表格中窄列的文字）或减少条目，"
                "长篇材料可作为附件（kam attach add）",
                f"{en_what}the layout passed the limit of {limit} pages and was stopped: shorten the long texts "
                "(above all in narrow table columns) or the lists; long material can go in an attachment "
                "(kam attach add)",
            )
        )
