"""The enrolment's QR code, drawn here as an SVG: the secret never goes to a QR service."""

import io

import segno


def qr_svg(data: str) -> str:
    """A standalone ``<svg>`` of ``data`` (with its namespace, so a browser draws it as an image;
    no XML declaration)."""
    out = io.BytesIO()
    segno.make_qr(data, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, nl=False
    )
    return out.getvalue().decode()
