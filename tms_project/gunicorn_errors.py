"""What gunicorn answers by itself — a request line or headers too large, malformed HTTP — in
TMS's JSON error body instead of an HTML page (docs/api.md, "Errors").

Those requests never reach Django. The message is the status's reason only:
gunicorn's own text would echo parts of the malformed request back. The answer
carries the security headers Django's answers carry (tms_project.security_headers).
"""

import json
import os
import socket

from gunicorn import util

from tms_project.api.codes import default_code
from tms_project.security_headers import security_headers

_CODES = {414: "uri_too_long", 417: "expectation_failed", 431: "headers_too_large", 501: "not_implemented"}


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    body = json.dumps(
        {
            "error": {
                "status": status_int,
                "code": _CODES.get(status_int) or default_code(status_int),
                "message": f"{reason}.",
                "request_id": None,
            }
        }
    ).encode()
    headers = {
        "Connection": "close",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **security_headers(os.environ),
    }
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head = f"HTTP/1.1 {status_int} {reason}\r\n{lines}\r\n"
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    """Replace gunicorn's HTML error writer (its workers call ``util.write_error``)."""
    util.write_error = write_json_error
