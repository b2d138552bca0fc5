"""A report's page as a PDF (WeasyPrint, the CJK font "Noto Sans CJK SC").

The station's network has no internet: the page is laid out with what is on this
machine only. Relative addresses resolve in the package's static directory; any address
that is not a local file or inline data is refused before WeasyPrint tries it, so a
stray `http://` in a template can never make the server reach out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

STATIC_DIR = Path(settings.PACKAGE_DIR) / "static"
FONT_FAMILY = "Noto Sans CJK SC"


class OutsideAddress(ValueError):
    """The page asked for something that is not on this machine."""


def _fetcher() -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    root = STATIC_DIR.resolve()

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if path.is_relative_to(root):
                    return super().fetch(url, headers)
            raise FatalURLFetchingError(f"refused to fetch {url!r}: reports use local files only")

    return LocalOnly(allowed_protocols={"file", "data"})


def render_pdf(html: str) -> bytes:
    """The PDF of a complete HTML document (the PDF template's output)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
