"""Group names as parts of KPI keys (private).

A KPI key allows letters, digits, ``_``, ``.``, ``:`` and ``-``; group names
from ticket exports have spaces, slashes, ampersands and letters of any
script (``"Service Desk"``, ``"Network/WAN"``, ``"R&D"``, ``"Sécurité"``,
``"服务台"``).  :func:`slug` turns one into a key part: lower case, accents
removed, ``&`` spelled ``and``, every other run of characters outside
``[a-z0-9]`` one ``-``.  A name with no letter or digit left (a name in a
script without an ASCII spelling) becomes ``g-`` and the first 10 hex digits
of its SHA-256, so it is still a stable, distinct key.  The display name
keeps the original.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["digest", "slug"]

_OUTSIDE = re.compile(r"[^a-z0-9]+")
#: The longest slug, in characters (a KPI key stays readable in a table).
MAX = 60


def digest(text: str, n: int = 10) -> str:
    """The first ``n`` hex digits of the SHA-256 of ``text`` (UTF-8, surrogates escaped)."""
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:n]


def slug(text: str) -> str:
    """``text`` as a KPI key part: ``"Service Desk / L2 & Ops"`` -> ``"service-desk-l2-and-ops"``.

    Examples:
        >>> slug("Service Desk"), slug("Network/WAN"), slug("R&D"), slug("Sécurité IT")
        ('service-desk', 'network-wan', 'r-and-d', 'securite-it')
        >>> slug("服务台")
        'g-6f502c386d'
        >>> slug("")
        'none'
    """
    if text == "":
        return "none"
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = _OUTSIDE.sub("-", ascii_.lower().replace("&", " and ")).strip("-")
    if not out:
        return f"g-{digest(text)}"
    if len(out) > MAX:
        out = f"{out[: MAX - 11].rstrip('-')}-{digest(text)}"
    return out
