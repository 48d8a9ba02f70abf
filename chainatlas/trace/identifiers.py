"""EPC URIs and GS1 Digital Link URIs: parse, convert, and reduce to one matching key.

Every identifier that enters the store is reduced to a *canonical key*. For GS1 keys the key
is the constrained canonical GS1 Digital Link URI (``https://id.gs1.org/01/<gtin14>/21/<serial>``),
the same form the CBV 2.0 event hash uses. We chose Digital Link rather than the EPC URN as the
key because EPC URN → Digital Link is always defined, while Digital Link → EPC URN needs the
length of the GS1 Company Prefix, which a URI does not carry (GS1 publishes it in a prefix table
we do not ship). So an item captured as ``urn:epc:id:sgtin:…`` and one captured as
``https://id.gs1.org/01/…/21/…`` meet on the same key without guessing.

``dl_to_epc`` is offered where it is defined: the caller gives the company-prefix length, or
we use a prefix already seen in an EPC URN (``learn_prefix``). Non-GS1 URIs (``geo:``, ``urn:uuid:``,
private URNs) are their own key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from chainatlas.errors import TraceError

DL_HOST = "https://id.gs1.org"
_EPC_RE = re.compile(r"^urn:epc:(id|class|idpat):([a-z0-9-]+):(.+)$")
# Characters GS1 allows in alphanumeric serials/lots (the 82-character set, minus what URIs escape).
_SAFE = "!'()*+,-.:;=_"


@lru_cache(maxsize=65536)
def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit over a digit string (weights 3,1 from the right)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def _digits(value: str, what: str, uri: str) -> str:
    if not value.isdigit():
        raise TraceError(f"{what} must be digits in {uri!r}", code="E711")
    return value


_PLAIN = re.compile(r"[A-Za-z0-9!'()*+,\-.:;=_]*")  # nothing to unquote or quote: the common case


def _enc(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value  # quote(unquote(v)) == v when v has no '%' and only unreserved or _SAFE characters
    return quote(unquote(value), safe=_SAFE)


@dataclass(frozen=True)
class Identifier:
    """A parsed identifier. ``key`` is the canonical matching key; ``level`` is instance|class|pattern."""

    raw: str
    scheme: str  # sgtin, lgtin, sscc, sgln, grai, … or "uri" for anything else
    key: str
    level: str = "instance"
    company_prefix: str | None = None


# ---------------------------------------------------------------- EPC URN → Digital Link
def _epc_to_dl(kind: str, scheme: str, body: str, uri: str) -> tuple[str, str, str | None]:
    """Return (digital link key, level, company prefix) for an EPC URN body."""
    parts = body.split(".")
    if kind == "id":
        if scheme == "sgtin" and len(parts) == 3:
            cp, item, serial = parts
            _digits(cp + item, "company prefix and item reference", uri)
            if len(cp) + len(item) != 13:
                raise TraceError(f"SGTIN company prefix + item reference must be 13 digits: {uri!r}", code="E711")
            gtin = item[0] + cp + item[1:]
            return f"{DL_HOST}/01/{gtin}{check_digit(gtin)}/21/{_enc(serial)}", "instance", cp
        if scheme == "sscc" and len(parts) == 2:
            cp, ref = parts
            _digits(cp + ref, "SSCC", uri)
            if len(cp) + len(ref) != 17:
                raise TraceError(f"SSCC company prefix + serial reference must be 17 digits: {uri!r}", code="E711")
            s = ref[0] + cp + ref[1:]
            return f"{DL_HOST}/00/{s}{check_digit(s)}", "instance", cp
        if scheme == "sgln" and len(parts) == 3:
            cp, loc, ext = parts
            _digits(cp + loc, "GLN", uri)
            if len(cp) + len(loc) != 12:
                raise TraceError(f"SGLN company prefix + location reference must be 12 digits: {uri!r}", code="E711")
            gln = cp + loc + check_digit(cp + loc)
            tail = "" if ext == "0" else f"/254/{_enc(ext)}"
            return f"{DL_HOST}/414/{gln}{tail}", "instance", cp
        if scheme == "pgln" and len(parts) == 2:
            cp, ref = parts
            _digits(cp + ref, "PGLN", uri)
            return f"{DL_HOST}/417/{cp}{ref}{check_digit(cp + ref)}", "instance", cp
        if scheme == "grai" and len(parts) == 3:
            cp, asset, serial = parts
            _digits(cp + asset, "GRAI", uri)
            g = cp + asset
            return f"{DL_HOST}/8003/0{g}{check_digit(g)}{_enc(serial)}", "instance", cp
        if scheme == "giai" and len(parts) == 2:
            cp, ref = parts
            _digits(cp, "company prefix", uri)
            return f"{DL_HOST}/8004/{cp}{_enc(ref)}", "instance", cp
        if scheme in ("gsrn", "gsrnp") and len(parts) == 2:
            cp, ref = parts
            _digits(cp + ref, "GSRN", uri)
            ai = "8018" if scheme == "gsrn" else "8017"
            return f"{DL_HOST}/{ai}/{cp}{ref}{check_digit(cp + ref)}", "instance", cp
        if scheme in ("gdti", "sgcn") and len(parts) == 3:
            cp, doc, serial = parts
            _digits(cp + doc, scheme.upper(), uri)
            ai = "253" if scheme == "gdti" else "255"
            return f"{DL_HOST}/{ai}/{cp}{doc}{check_digit(cp + doc)}{_enc(serial)}", "instance", cp
        if scheme == "ginc" and len(parts) == 2:
            return f"{DL_HOST}/401/{parts[0]}{_enc(parts[1])}", "instance", parts[0]
        if scheme == "gsin" and len(parts) == 2:
            cp, ref = parts
            _digits(cp + ref, "GSIN", uri)
            return f"{DL_HOST}/402/{cp}{ref}{check_digit(cp + ref)}", "instance", cp
        if scheme == "cpi" and len(parts) == 3:
            cp, ref, serial = parts
            return f"{DL_HOST}/8010/{cp}{_enc(ref)}/8011/{serial}", "instance", cp
        if scheme == "upui" and len(parts) == 3:
            cp, item, tpx = parts
            _digits(cp + item, "company prefix and item reference", uri)
            gtin = item[0] + cp + item[1:]
            return f"{DL_HOST}/01/{gtin}{check_digit(gtin)}/235/{_enc(tpx)}", "instance", cp
        if scheme == "itip" and len(parts) == 5:
            cp, item, piece, total, serial = parts
            gtin = item[0] + cp + item[1:]
            return f"{DL_HOST}/8006/{gtin}{check_digit(gtin)}{piece}{total}/21/{_enc(serial)}", "instance", cp
    if kind == "class" and scheme == "lgtin" and len(parts) == 3:
        cp, item, lot = parts
        _digits(cp + item, "company prefix and item reference", uri)
        if len(cp) + len(item) != 13:
            raise TraceError(f"LGTIN company prefix + item reference must be 13 digits: {uri!r}", code="E711")
        gtin = item[0] + cp + item[1:]
        return f"{DL_HOST}/01/{gtin}{check_digit(gtin)}/10/{_enc(lot)}", "class", cp
    if kind == "idpat" and scheme == "sgtin" and len(parts) == 3 and parts[2] == "*" and parts[1] != "*":
        # X.Y.* names every instance of one GTIN: as an EPC class it is the GTIN itself.
        cp, item, _ = parts
        _digits(cp + item, "company prefix and item reference", uri)
        gtin = item[0] + cp + item[1:]
        return f"{DL_HOST}/01/{gtin}{check_digit(gtin)}", "class", cp
    if kind == "idpat" and parts[-1] == "*" and "*" not in parts[:-1]:
        # Class-level patterns (serial wildcarded) used as epcClass: the key without its serial part.
        cp = parts[0]
        _digits(cp, "company prefix", uri)
        if scheme in ("grai", "gdti", "sgcn") and len(parts) == 3:
            ai = {"grai": "8003/0", "gdti": "253/", "sgcn": "255/"}[scheme]
            return f"{DL_HOST}/{ai}{cp}{parts[1]}{check_digit(cp + parts[1])}", "class", cp
        if scheme == "cpi" and len(parts) == 3:
            return f"{DL_HOST}/8010/{cp}{_enc(parts[1])}", "class", cp
        if scheme == "itip" and len(parts) == 5:
            gtin = parts[1][0] + cp + parts[1][1:]
            return f"{DL_HOST}/8006/{gtin}{check_digit(gtin)}{parts[2]}{parts[3]}", "class", cp
    raise TraceError(f"not a valid EPC URI: {uri!r} (scheme {scheme!r} with {len(parts)} fields)", code="E711")


# ---------------------------------------------------------------- Digital Link parse
_DL_KEYS = {  # primary key AI → (scheme, allowed qualifier AIs)
    "01": "gtin", "00": "sscc", "414": "gln", "417": "pgln", "8003": "grai", "8004": "giai",
    "8018": "gsrn", "8017": "gsrnp", "253": "gdti", "255": "sgcn", "401": "ginc", "402": "gsin",
    "8006": "itip", "8010": "cpi",
}
_QUALIFIERS = {"01": ("22", "10", "21", "235"), "414": ("254",), "8006": ("22", "10", "21"), "8010": ("8011",)}


def parse_digital_link(uri: str) -> Identifier:
    """Reduce any GS1 Digital Link URI (any domain, query string dropped) to its canonical key."""
    parts = urlsplit(uri)
    segs = [s for s in parts.path.split("/") if s]
    # The GS1 key may follow a path prefix on a custom domain: find the first known AI.
    for i, seg in enumerate(segs):
        if seg in _DL_KEYS and i + 1 < len(segs):
            segs = segs[i:]
            break
    else:
        raise TraceError(f"not a GS1 Digital Link URI: {uri!r}", code="E712")
    ai, value = segs[0], unquote(segs[1])
    quals = dict(zip(segs[2::2], (unquote(v) for v in segs[3::2]), strict=False))
    if ai in ("01", "8006") and value.isdigit() and len(value) in (8, 12, 13):
        value = value.zfill(14)  # GTIN-8/12/13 are written as GTIN-14 in canonical form
    fixed = {"01": 14, "00": 18, "414": 13, "417": 13, "8018": 18, "8017": 18}
    if ai in fixed and (not value.isdigit() or len(value) != fixed[ai]):
        raise TraceError(f"AI ({ai}) must be {fixed[ai]} digits in {uri!r}", code="E712")
    if ai in fixed and check_digit(value[:-1]) != value[-1]:
        raise TraceError(f"wrong check digit in AI ({ai}) {value} of {uri!r}", code="E712")
    key = f"{DL_HOST}/{ai}/{_enc(value)}"
    level = "instance"
    allowed = _QUALIFIERS.get(ai, ())
    if ai == "01":
        if "21" in quals:
            key += f"/21/{_enc(quals['21'])}"
        elif "235" in quals:
            key += f"/235/{_enc(quals['235'])}"
        elif "10" in quals:
            key, level = key + f"/10/{_enc(quals['10'])}", "class"
        else:
            level = "class"
        scheme = {"instance": "sgtin", "class": "lgtin" if "10" in quals else "gtin"}[level]
    else:
        for q in allowed:  # keep only the most fine-grained qualifier path (CBV 2.0 rule 18)
            if q in quals and q != "22" and not (ai == "414" and quals[q] == "0"):
                key += f"/{q}/{_enc(quals[q])}"
        scheme = {"gln": "sgln", "gtin": "sgtin"}.get(_DL_KEYS[ai], _DL_KEYS[ai])
    return Identifier(raw=uri, scheme=scheme, key=key, level=level)


_DL_PATH = re.compile(r"/(?:" + "|".join(_DL_KEYS) + r")/")


def is_digital_link(uri: str) -> bool:
    return uri.startswith(("http://", "https://")) and _DL_PATH.search(uri) is not None


@lru_cache(maxsize=65536)  # bounded: a 1 GB capture must not grow with it
def parse(uri: str) -> Identifier:
    """Parse an EPC URN, EPC class/pattern URN, Digital Link URI, or keep any other URI as is."""
    uri = uri.strip()
    m = _EPC_RE.match(uri)
    if m:
        kind, scheme, body = m.groups()
        key, level, cp = _epc_to_dl(kind, scheme, body, uri)
        if kind == "idpat":
            scheme = "gtin" if scheme == "sgtin" else scheme
        return Identifier(raw=uri, scheme=scheme, key=key, level=level, company_prefix=cp)
    if uri.startswith("urn:epc:"):
        raise TraceError(f"not a valid EPC URI: {uri!r}", code="E711")
    if is_digital_link(uri):
        try:
            return parse_digital_link(uri)
        except TraceError:
            if urlsplit(uri).netloc == "id.gs1.org":
                raise
    return Identifier(raw=uri, scheme="uri", key=uri)


def canonical(uri: str) -> str:
    """The matching key of an identifier (never raises: unparseable strings are their own key)."""
    try:
        return parse(uri).key
    except TraceError:
        return uri.strip()


# ---------------------------------------------------------------- patterns for queries
def match_pattern(value: str) -> tuple[str, str]:
    """How a MATCH_* value matches canonical keys: ("eq", key) or ("like", SQL LIKE pattern).

    EPC pattern URIs (``urn:epc:idpat:sgtin:0614141.107346.*``) match every instance of that class,
    ``urn:epc:idpat:sgtin:0614141.*.*`` every GTIN under one company prefix.
    """
    m = _EPC_RE.match(value.strip())
    if m and m.group(1) == "idpat":
        scheme, body = m.group(2), m.group(3)
        parts = body.split(".")
        if scheme == "sgtin" and len(parts) == 3:
            cp, item, serial = parts
            if item == "*":
                # GTIN-14 = indicator + company prefix + …: match the prefix after any indicator digit.
                return "like", f"{DL_HOST}/01/_{cp}%"
            gtin = item[0] + cp + item[1:]
            gtin += check_digit(gtin)
            if serial == "*":
                return "like", f"{DL_HOST}/01/{gtin}/%"
            return "eq", f"{DL_HOST}/01/{gtin}/21/{_enc(serial)}"
        if scheme == "sscc" and len(parts) == 2 and parts[1] == "*":
            return "like", f"{DL_HOST}/00/_{parts[0]}%"
        if scheme == "sgln" and len(parts) == 3:
            cp, loc, ext = parts
            if loc == "*":
                return "like", f"{DL_HOST}/414/{cp}%"
            gln = cp + loc + check_digit(cp + loc)
            return ("like", f"{DL_HOST}/414/{gln}%") if ext == "*" else ("eq", canonical(f"urn:epc:id:sgln:{body}"))
        if scheme in ("grai", "gdti", "sgcn") and len(parts) == 3 and parts[2] == "*":
            cp, ref = parts[0], parts[1]
            ai = {"grai": "8003/0", "gdti": "253/", "sgcn": "255/"}[scheme]
            if ref == "*":
                return "like", f"{DL_HOST}/{ai}{cp}%"
            return "like", f"{DL_HOST}/{ai}{cp}{ref}{check_digit(cp + ref)}%"
        if len(parts) >= 2 and parts[-1] == "*":
            cp = parts[0]
            ai = {"giai": "8004", "gsrn": "8018", "pgln": "417"}.get(scheme)
            if ai:
                return "like", f"{DL_HOST}/{ai}/{cp}%"
        raise TraceError(f"unsupported EPC pattern {value!r}", code="E713")
    key = canonical(value)
    if key.startswith(f"{DL_HOST}/01/") and key.count("/") == 4:
        # A bare GTIN as an EPC class matches the GTIN class and every lot of it.
        return "like", key + "%"
    return "eq", key


# ---------------------------------------------------------------- Digital Link → EPC URN
_known_prefixes: set[str] = set()


def learn_prefix(company_prefix: str | None) -> None:
    if company_prefix and company_prefix.isdigit() and 6 <= len(company_prefix) <= 12:
        _known_prefixes.add(company_prefix)


def _guess_cp_len(digits: str, gcp_length: int | None) -> int:
    if gcp_length:
        return gcp_length
    for n in range(12, 5, -1):
        if digits[:n] in _known_prefixes:
            return n
    raise TraceError(
        "Digital Link → EPC URI needs the GS1 Company Prefix length (pass gcp_length); "
        "no prefix seen for " + digits, code="E714")


def dl_to_epc(uri: str, gcp_length: int | None = None) -> str:
    """Convert a GS1 Digital Link URI to the EPC (class) URN, where the prefix length is known."""
    ident = parse_digital_link(uri)
    segs = ident.key[len(DL_HOST) + 1:].split("/")
    ai, value = segs[0], unquote(segs[1])
    quals = dict(zip(segs[2::2], (unquote(v) for v in segs[3::2]), strict=False))
    if ai == "01":
        n = _guess_cp_len(value[1:], gcp_length)
        cp, item = value[1:1 + n], value[0] + value[1 + n:13]
        if "21" in quals:
            return f"urn:epc:id:sgtin:{cp}.{item}.{_enc(quals['21'])}"
        if "10" in quals:
            return f"urn:epc:class:lgtin:{cp}.{item}.{_enc(quals['10'])}"
        return f"urn:epc:idpat:sgtin:{cp}.{item}.*"
    if ai == "00":
        n = _guess_cp_len(value[1:], gcp_length)
        return f"urn:epc:id:sscc:{value[1:1 + n]}.{value[0]}{value[1 + n:17]}"
    if ai == "414":
        n = _guess_cp_len(value, gcp_length)
        return f"urn:epc:id:sgln:{value[:n]}.{value[n:12]}.{quals.get('254', '0')}"
    if ai == "417":
        n = _guess_cp_len(value, gcp_length)
        return f"urn:epc:id:pgln:{value[:n]}.{value[n:12]}"
    if ai == "8003":
        n = _guess_cp_len(value[1:], gcp_length)
        return f"urn:epc:id:grai:{value[1:1 + n]}.{value[1 + n:13]}.{_enc(value[14:])}"
    if ai == "8004":
        n = _guess_cp_len(value, gcp_length)
        return f"urn:epc:id:giai:{value[:n]}.{_enc(value[n:])}"
    if ai == "253":
        n = _guess_cp_len(value, gcp_length)
        return f"urn:epc:id:gdti:{value[:n]}.{value[n:12]}.{_enc(value[13:])}"
    raise TraceError(f"no EPC URI conversion implemented for AI ({ai}): {uri!r}", code="E714")
