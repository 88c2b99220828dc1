"""The client's address, trusting X-Forwarded-For only through configured proxies.

Each proxy appends the address it received the request from. With N trusted
proxies (TMS_TRUSTED_PROXIES), the client is the address N hops back from the
socket peer; anything a client wrote into the header itself lies further left
and is ignored, so a spoofed header cannot change who is rate limited.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    hops = settings.TMS_TRUSTED_PROXIES
    if hops == 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [address for address in forwarded if address] + [peer]
    return chain[-(hops + 1)] if len(chain) > hops else chain[0]
