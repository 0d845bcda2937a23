"""PDF from .docx with LibreOffice headless, and the PDF's pages as images (pdftoppm).

Both are Debian packages (libreoffice-writer-nogui, fonts-liberation, poppler-utils), which
`scripts/dev.sh` installs. Each conversion has its own LibreOffice profile, so that two
workers converting at once do not wait on one another's lock."""

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 180  # seconds: a year report takes a few


class ConversionError(Exception):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    program = soffice()
    if program is None:
        raise ConversionError("LibreOffice is not installed")
    with tempfile.TemporaryDirectory(prefix="loa-pdf-") as folder:
        work = Path(folder)
        (work / "report.docx").write_bytes(docx)
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own file
            [program, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
             "--convert-to", "pdf", "--outdir", str(work), str(work / "report.docx")],
            capture_output=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
        pdf = work / "report.pdf"
        if done.returncode or not pdf.exists():
            raise ConversionError(done.stderr.decode(errors="replace")[-300:] or "no PDF")
        return pdf.read_bytes()


def pdf_pages(pdf: bytes, *, dpi: int = 60) -> list[bytes]:
    """Each page as a PNG, small enough to preview in the browser."""
    program = shutil.which("pdftoppm")
    if program is None:
        raise ConversionError("pdftoppm (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory(prefix="loa-pages-") as folder:
        work = Path(folder)
        (work / "report.pdf").write_bytes(pdf)
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own file
            [program, "-png", "-r", str(dpi), str(work / "report.pdf"), str(work / "page")],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode:
            raise ConversionError(done.stderr.decode(errors="replace")[-300:])
        pages = sorted(work.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [page.read_bytes() for page in pages]
