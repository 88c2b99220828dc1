"""Conditional GETs: an ETag from the answer's own bytes, and 304 Not Modified when the client has them.

A task's ``version`` moves when the task is written, not when what its representation shows
changes beside it (a sub-task done, a label renamed, a reminder sent, an assignee's name),
so it cannot tell a client that its copy is current. The body can: it is rendered anyway, and a
hash of its bytes changes whenever one of them does — a page's cursor links and the reader's own
labels included. The reader's id goes into the hash as well, so a tag is never valid for another
account, even where two people read the same bytes.

A task's answer keeps its version in front of the hash (``"7-1f0c…"``): If-Match on a write
compares that version only (tasks.views.base), so a client that sends back the ETag it read, or
the ``version`` of the body (as the web app does), keeps working; docs/decisions.md says why.

A 304 costs the same queries as the 200 (the body is built to be hashed); it saves sending and
parsing the body. Every GET answer of these views (but a streamed export) is ``private, no-cache``
with ``Vary: Authorization``: a browser may keep it but asks each time, and never offers one
account's copy with another token.
"""

import hashlib
import re

from django.http import HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

CACHE_CONTROL = "private, no-cache"
# What a 304 repeats of the 200 it stands for (RFC 9110, section 15.4.5).
_KEPT_ON_304 = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary")
# An entity tag (RFC 9110, section 8.8.3): its opaque part may hold any visible character but the
# double quote, a comma too, so a list is read tag by tag rather than split on commas.
_ENTITY_TAG = re.compile(r'(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"')
_VERSION_TAG = re.compile(r'"(\d+)"')


def body_tag(body: bytes, *, reader: int, version: int | None = None) -> str:
    """The strong ETag of ``body`` as ``reader`` reads it, led by the task's ``version`` if any."""
    # SHA-256 runs on the processor's SHA extensions where they exist (2017 on): a 50-task page of
    # 23 kB hashes in 14 µs, BLAKE2b in 25 (docs/performance.md). 64 bits tell versions apart.
    digest = hashlib.sha256(b"%d:" % reader)
    digest.update(body)
    short = digest.hexdigest()[:16]
    opaque = short if version is None else f"{version}-{short}"
    return f'"{opaque}"'


def none_match(header: str, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag``: ``*``, or one of its tags compared weakly
    (``W/`` ignored on both sides). Something that is no entity tag matches nothing."""
    if header.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")[1:-1]
    return any(found == opaque for found in _ENTITY_TAG.findall(header))


def not_modified(response: HttpResponse) -> HttpResponseNotModified:
    """A 304 for a 200: no body, the validator and caching headers of the 200."""
    answer = HttpResponseNotModified()
    for header in _KEPT_ON_304:
        if header in response:
            answer[header] = response[header]
    # The 200's length, as RFC 9110 allows; CommonMiddleware would write the 0 of this empty body,
    # which a cache might take for the length of the body it keeps.
    answer["Content-Length"] = str(len(response.content))
    return answer


def conditional_answer(
    request: Request, response: HttpResponseBase, *, reader: int | None
) -> HttpResponseBase:
    """An answer of a task-service view with its ETag; for a GET or HEAD the caching headers too,
    and a 304 instead of a 200 the client already holds.

    Only DRF's own answers are touched: a streamed one (an export) is left as it is. A view's
    ``ETag: "<version>"`` (a task's) gets the hash of the body after the version.
    """
    if not isinstance(response, Response):
        return response
    safe = request.method in ("GET", "HEAD")
    if safe:
        response.setdefault("Cache-Control", CACHE_CONTROL)
        patch_vary_headers(response, ("Authorization",))
    if reader is None or not 200 <= response.status_code < 300 or response.data is None:
        return response
    version = _VERSION_TAG.fullmatch(response.get("ETag", ""))
    if not safe and version is None:
        return response  # a write's answer that is no task: nothing to compare it with later
    response.render()
    tag = body_tag(response.content, reader=reader, version=int(version.group(1)) if version else None)
    response["ETag"] = tag
    header = request.headers.get("If-None-Match")
    if safe and response.status_code == 200 and header is not None and none_match(header, tag):
        return not_modified(response)
    return response
