"""The enrolment's QR code, drawn here as an SVG: the secret never goes to a QR service."""

import segno


def qr_svg(data: str) -> str:
    """An inline ``<svg>`` element of ``data`` (no XML declaration), to put straight into a page."""
    return segno.make_qr(data, error="m").svg_inline(scale=4, border=2)
