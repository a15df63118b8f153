"""A minimal valid one-page PDF with lines of text, written by hand: fast enough for 10,000 files."""

from __future__ import annotations


def tiny_pdf(lines: list[str]) -> bytes:
    """A PDF whose page shows `lines` in Helvetica; pdfplumber reads the text back."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1", "replace").decode("latin-1")

    ops = ["BT", "/F1 10 Tf", "14 TL", "50 800 Td"]
    ops += [f"({escape(line)}) Tj T*" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", "replace")
    return pdf_of([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ])


def pdf_of(objects: list[bytes]) -> bytes:
    """Numbered objects (1 0 obj is the catalogue) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def self_referencing_pdf() -> bytes:
    """A PDF whose page tree is an object that refers to itself: pdfminer resolves it forever."""
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"2 0 R"])


def huge_page_pdf(points: int = 14400) -> bytes:
    """One blank page of points x points: no text layer, so OCR would render it at 250 dpi (50,000 px square)."""
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points} {points}] >>".encode()])


def many_operators_pdf(count: int = 1_000_000) -> bytes:
    """One page drawing `count` tiny lines: pdfminer builds an object for each, into the gigabytes."""
    ops = b"0 0 m 1 1 l S\n" * count
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                   b"<< /Length " + str(len(ops)).encode() + b" >>\nstream\n" + ops + b"\nendstream"])
