"""Can this machine print Chinese PDFs, and quickly? (`kam doctor` reads `checks()`.)

Measured: without libharfbuzz-subset WeasyPrint subsets fonts with fontTools,
12.8 s for one Chinese page instead of 0.25 s; without a CJK font every Chinese
character prints as an empty box, silently. So either is a refusal naming the
fix (`reports.errors`), checked before anything is laid out.
"""

from __future__ import annotations

import ctypes.util
import functools
import shutil
import subprocess
from dataclasses import dataclass

from reports.errors import CJK_FONT_FIX, SUBSET_FIX, WEASYPRINT_FIX, MissingFont, MissingSubsetter


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@functools.lru_cache(maxsize=1)
def cjk_fonts() -> tuple[str, ...]:
    """Font families fontconfig reports for Chinese; empty if none or no fontconfig.

    Cached per process: fc-list costs ~20 ms and fonts do not appear mid-run.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    families = {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}
    return tuple(sorted(families))


def require_cjk_font() -> None:
    """Raise `MissingFont` unless a Chinese font is installed."""
    if not cjk_fonts():
        raise MissingFont()


def harfbuzz_subset_library() -> str | None:
    """The HarfBuzz subsetter WeasyPrint would load, or None."""
    return ctypes.util.find_library("harfbuzz-subset")


def require_subsetter() -> None:
    """Raise `MissingSubsetter` unless WeasyPrint can subset fonts with HarfBuzz."""
    if harfbuzz_subset_library() is None:
        raise MissingSubsetter()


def _weasyprint_check() -> Check:
    try:
        import weasyprint  # noqa: F401  (imports Pango through cffi; fails if Pango is missing)
    except Exception as exc:  # OSError for a missing Pango, ImportError for a missing package
        return Check("weasyprint", False, f"cannot import WeasyPrint: {exc}", WEASYPRINT_FIX)
    return Check("weasyprint", True, f"WeasyPrint {weasyprint.__version__} with Pango")


def checks(import_weasyprint: bool = True) -> list[Check]:
    """Everything PDF rendering needs, each with what is wrong and how to fix it."""
    fonts = cjk_fonts()
    sans = [f for f in fonts if "Sans CJK SC" in f or "Serif CJK SC" in f]
    result = [
        Check(
            "chinese-font",
            bool(fonts),
            ", ".join(sans or fonts[:3]) if fonts else "no font with Chinese glyphs (fc-list :lang=zh is empty)",
            "" if fonts else CJK_FONT_FIX,
        )
    ]
    lib = harfbuzz_subset_library()
    result.append(
        Check(
            "pdf-subsetter",
            lib is not None,
            f"HarfBuzz subsetter {lib}" if lib else "libharfbuzz-subset missing: each Chinese page takes ~50x longer",
            "" if lib else SUBSET_FIX,
        )
    )
    if import_weasyprint:
        result.append(_weasyprint_check())
    return result
