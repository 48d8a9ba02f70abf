"""Search the catalogue: numbers in any spelling, ISO/IEC numbers through adoptions, title words
through the tantivy index; facets, highlighting, 查新 (batch currency check).

The JSON contract (CLI ``--json`` and ``GET /api/standards``) is ``{"total": N, "items": [...]}``
with each item's ``number``, ``title`` and ``status`` first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import tantivy
from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from chainatlas.search.tokenize import highlight_pieces
from chainatlas.standards import index as std_index
from chainatlas.standards.numbers import (
    KNOWN_KINDS,
    OTHER_PREFIXES,
    NumberError,
    StandardNumber,
    find_numbers,
    fold,
    parse,
    try_parse,
)
from chainatlas.standards.text import GAP, bigrams, is_word, query_terms, simplify, tokenizer
from chainatlas.store import Store
from chainatlas.store.models import Standard, StandardAdoption, StandardReplacement
from chainatlas.store.models.standards import STANDARD_STATUSES

SORTS = ("relevance", "date")
STATUS_ORDER = {"现行": 0, "即将实施": 1, "废止": 2}
MAX_LIMIT = 200
# tantivy allocates offset + limit slots for a page: a deep page is refused by the API and clamped here
# (an offset near 2**63 aborted the process with an allocation failure under fuzzing).
MAX_OFFSET = 10_000
_CODE_ONLY = re.compile(r"^\d{3,}(?:\.\d+)*$")
_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_EPOCH = date(1970, 1, 1)


@dataclass
class Filters:
    status: str | None = None
    kind: str | None = None
    area: str | None = None
    year: int | None = None

    def active(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class SearchResult:
    query: str
    mode: str  # number | iso | words | none
    terms: list[str]
    total: int
    items: list[dict]
    facets: dict[str, list[dict]] = field(default_factory=dict)

    def contract(self) -> dict:
        return {"total": self.total, "items": self.items, "query": self.query, "mode": self.mode,
                "terms": self.terms, "facets": self.facets}


def _series(col, base: str):  # type: ignore[no-untyped-def]
    """``GBT16886`` also finds its parts ``GBT16886.1`` … (a B-tree range, not a LIKE)."""
    return or_(col == base, and_(col > base + ".", col < base + "/"))


def _number_ids(s: Session, nums: list[StandardNumber]) -> tuple[str, list[int]]:
    ids: list[int] = []
    mode = "number"
    for n in nums:
        if n.kind in ("ISO", "IEC"):
            mode = "iso"
            ids += s.scalars(select(StandardAdoption.standard_id).where(
                _series(StandardAdoption.intl_base_key, n.base_key))).all()
            continue
        found: list[int] = []
        if n.year:
            found = list(s.scalars(select(Standard.id).where(Standard.key == n.key)))
        if not found:
            found = list(s.scalars(select(Standard.id).where(_series(Standard.base_key, n.base_key))))
        if not found:  # GB for GB/T, YY for YY/T: the marker people leave out
            found = list(s.scalars(select(Standard.id).where(_series(Standard.loose_key, n.loose_key))))
        ids += found
    return mode, list(dict.fromkeys(ids))


def _apply(q, f: Filters, skip: str | None = None):  # type: ignore[no-untyped-def]
    if f.status and skip != "status":
        q = q.where(Standard.status == f.status)
    if f.kind and skip != "kind":
        q = q.where(Standard.kind == f.kind)
    if f.area and skip != "area":
        q = q.where(Standard.area == f.area)
    if f.year and skip != "year":
        q = q.where(Standard.year == f.year)
    return q


def _facet_list(counter: Counter, *, by_value: bool = False, top: int = 20) -> list[dict]:
    """Most frequent first; years newest first. ``-`` / 0 stand for "none" in the index and are left out."""
    items = sorted(counter.items(), reverse=True) if by_value else counter.most_common()
    return [{"value": v, "count": n} for v, n in items if v not in (None, "", "-", 0)][:top]


def _sort_key(st: Standard, sort: str) -> tuple:
    day = st.effective_on or st.published_on or date.min
    if sort == "date":
        return (-day.toordinal(), st.number)
    return (STATUS_ORDER.get(st.status, 3), -(st.year or 0), st.number)


_STD = Standard.__table__
_REP = StandardReplacement.__table__
_ADO = StandardAdoption.__table__


def _by_ids(s: Session | Connection, ids: list[int]) -> dict[int, Row]:
    """Rows, not ORM objects: a search page reads 20 of them and builds nothing else (ORM costs ~1 ms a query)."""
    out: dict[int, Row] = {}
    for i in range(0, len(ids), 500):
        out.update({r.id: r for r in s.execute(select(_STD).where(_STD.c.id.in_(ids[i:i + 500])))})
    return out


def items_for(s: Session | Connection, standards: list, terms: list[str]) -> list[dict]:
    keys = [st.key for st in standards]
    replaced_by: dict[str, list[str]] = {}
    replaces: dict[str, list[str]] = {}
    adoptions: dict[int, list[dict]] = {}
    if keys:
        for r in s.execute(select(_REP).where(or_(_REP.c.old_key.in_(keys), _REP.c.new_key.in_(keys)))):
            replaced_by.setdefault(r.old_key, []).append(r.new_number)
            replaces.setdefault(r.new_key, []).append(r.old_number)
        for a in s.execute(select(_ADO).where(_ADO.c.standard_id.in_([x.id for x in standards]))):
            adoptions.setdefault(a.standard_id, []).append({"number": a.intl_number, "degree": a.degree})
    out = []
    for st in standards:
        out.append({
            "number": st.number, "title": st.title, "status": st.status, "id": st.id, "kind": st.kind,
            "year": st.year, "title_en": st.title_en, "area": st.area,
            "published_on": st.published_on.isoformat() if st.published_on else None,
            "effective_on": st.effective_on.isoformat() if st.effective_on else None,
            "withdrawn_on": st.withdrawn_on.isoformat() if st.withdrawn_on else None,
            "replaces": replaces.get(st.key, []), "replaced_by": replaced_by.get(st.key, []),
            "adoptions": adoptions.get(st.id, []), "url": f"/standards/{st.id}",
            "highlight": [{"text": t, "match": m} for t, m in highlight_pieces(simplify(st.title), terms, width=200)]
            if terms else [{"text": st.title, "match": False}],
            "synthetic": st.synthetic,
        })
    return out


def _numbers_in(query: str) -> list[StandardNumber]:
    whole = try_parse(query)
    # CT2000 or H7N9 parse as numbers too: only known prefixes (or an explicit slash) make one.
    if whole is not None and (whole.kind in KNOWN_KINDS or "/" in whole.prefix or whole.prefix in OTHER_PREFIXES):
        return [whole]
    return [n for _, _, n in find_numbers(query)]


def search(store: Store, query: str, *, filters: Filters | None = None, sort: str = "relevance", limit: int = 20,
           offset: int = 0, facets: bool = True) -> SearchResult:
    f = filters or Filters()
    if f.status and f.status not in STANDARD_STATUSES:
        from chainatlas.errors import StandardsError

        raise StandardsError(f"unknown status {f.status!r} ({' / '.join(STANDARD_STATUSES)})", code="E961")
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    q = (query or "").strip()[:300]
    if not q:
        return SearchResult(q, "none", [], 0, [])
    nums = _numbers_in(q)
    compact = fold(q)
    if nums or _CODE_ONLY.match(compact):
        return _search_numbers(store, q, nums, compact, f, sort, limit, offset)
    return _search_words(store, q, f, sort, limit, offset, facets)


def _search_numbers(store: Store, q: str, nums: list[StandardNumber], compact: str, f: Filters, sort: str,
                    limit: int, offset: int) -> SearchResult:
    with store.session() as s:
        if nums:
            mode, ids = _number_ids(s, nums)
        else:
            mode = "number"
            ids = list(s.scalars(select(Standard.id).where(_series(Standard.code, compact))))
        rows = list(_by_ids(s, ids).values())
        facets: dict[str, Counter] = {k: Counter() for k in ("status", "kind", "area", "year")}
        for st in rows:
            for k, v in (("status", st.status), ("kind", st.kind), ("area", st.area), ("year", st.year)):
                if _keep(st, f, skip=k):
                    facets[k][v] += 1
        kept = sorted((st for st in rows if _keep(st, f)), key=lambda st: _sort_key(st, sort))
        items = items_for(s, kept[offset:offset + limit], [])
    return SearchResult(q, mode, [], len(kept), items, _facets_out(facets))


def _keep(st: Standard, f: Filters, skip: str | None = None) -> bool:
    return all(getattr(f, k) in (None, "") or k == skip or getattr(st, k) == getattr(f, k)
               for k in ("status", "kind", "area", "year"))


def _facets_out(c: dict[str, Counter]) -> dict[str, list[dict]]:
    return {"status": [{"value": v, "count": c["status"][v]} for v in STANDARD_STATUSES if c["status"][v]],
            "kind": _facet_list(c["kind"]), "area": _facet_list(c["area"]),
            "year": _facet_list(c["year"], by_value=True, top=60)}


# A compound word also matching its parts apart costs an intersection of the parts' (long) posting
# lists: ~6x the word alone at 10^6 titles. Below this many titles carrying the whole word the parts
# are worth it (every real catalogue word); above it they would add well under 1% of the matches,
# all ranked below the whole word's, so the word alone is searched.
EXPAND_BELOW = 5000


def term_query(schema: tantivy.Schema, term: str, searcher: tantivy.Searcher | None = None) -> tantivy.Query:
    """A word the dictionary knows matches as a token: the index carries every dictionary word found
    inside a title's tokens (``text.index_tokens``), so this is substring matching for known words at
    the price of a term lookup. An unknown word (a run of characters jieba could not place) matches
    as an exact substring: a phrase over character bigrams, ~10x dearer, needed only for those."""
    if len(term) == 1 or is_word(term) or not _HAN_RE.search(term):
        whole = tantivy.Query.term_query(schema, "words", term)
        parts = [w.lower() for w in tokenizer().cut_for_search(term.upper(), HMM=False)
                 if w.lower() != term and len(w) >= 2]
        if (len(term) >= 4 and parts and len(set("".join(parts))) >= len(set(term))
                and (searcher is None or searcher.doc_freq("words", term) < EXPAND_BELOW)):
            # 医用导管 also finds 医用…导管: its parts anywhere in the title, ranked below the whole word.
            apart = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.term_query(schema, "words", p)) for p in parts])
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.boost_query(whole, 2.0)),
                                                (tantivy.Occur.Should, apart)])
        return whole
    return _substring(schema, _grams(term))


def _grams(text: str) -> list[str]:
    grams = bigrams(text)
    if grams and grams[-1] == GAP:
        grams.pop()
    return grams


def _substring(schema: tantivy.Schema, grams: list[str]) -> tantivy.Query:
    if len(grams) == 1:
        return tantivy.Query.term_query(schema, "grams", grams[0])
    return tantivy.Query.phrase_query(schema, "grams", grams)


def _filter_clauses(schema: tantivy.Schema, f: Filters, skip: str | None = None) -> list:
    out = []
    for name in ("status", "kind", "area"):
        v = getattr(f, name)
        if v and name != skip:
            out.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, name, v)))
    if f.year and skip != "year":
        out.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "year", int(f.year))))
    return out


def words_query(schema: tantivy.Schema, terms: list[str], f: Filters, *, skip: str | None = None,
                searcher: tantivy.Searcher | None = None) -> tantivy.Query:
    clauses = [(tantivy.Occur.Must, term_query(schema, t, searcher)) for t in terms]
    clauses += _filter_clauses(schema, f, skip)
    return tantivy.Query.boolean_query(clauses)


AGGS = {"status": {"terms": {"field": "status", "size": 5}}, "kind": {"terms": {"field": "kind", "size": 20}},
        "area": {"terms": {"field": "area", "size": 20}}, "year": {"terms": {"field": "year", "size": 60}}}


def _counts(raw: dict, names: list[str]) -> dict[str, Counter]:
    return {n: Counter({b["key"]: int(b["doc_count"]) for b in raw.get(n, {}).get("buckets", [])}) for n in names}


def _aggregate(searcher: tantivy.Searcher, query: tantivy.Query, names: list[str]) -> dict[str, Counter]:
    return _counts(searcher.aggregate(query, {n: AGGS[n] for n in names}), names)


def _status_facets(searcher: tantivy.Searcher, query: tantivy.Query, status: str, names: list[str]) -> dict[str, Counter]:
    """Facet counts beside a status filter in one pass over the unfiltered matches: the status
    buckets, and the other facets inside the chosen status's bucket (filtering first and counting
    twice costs ~1.5x: the status term is a long posting list to intersect)."""
    spec = dict(AGGS["status"], aggs={n: AGGS[n] for n in names})
    raw = searcher.aggregate(query, {"status": spec})
    out = _counts(raw, ["status"])
    bucket = next((b for b in raw.get("status", {}).get("buckets", []) if b["key"] == status), {})
    out.update(_counts(bucket, names))
    return out


def _search_words(store: Store, q: str, f: Filters, sort: str, limit: int, offset: int,
                  want_facets: bool) -> SearchResult:
    terms = query_terms(q)
    if not terms:
        return SearchResult(q, "words", [], 0, [])
    conn = store.engine.connect()
    try:
        return _words_on(conn, store, q, terms, f, sort, limit, offset, want_facets)
    finally:
        conn.close()


# Post-filtering the unfiltered ranking by status pays while the status holds a fair share of the
# matches and the page is near the top; otherwise the status joins the query as a filter.
_POST_FILTER_SHARE = 0.125
_POST_FILTER_DEPTH = 1000


def _status_hits(searcher: tantivy.Searcher, base: tantivy.Query, filtered: tantivy.Query, status: str,
                 counts: Counter, skip: int, want: int) -> list:
    """Hits ``skip`` … ``skip + want`` of one status group, BM25 order. The status filter is an
    intersection with a posting list of up to most of the catalogue (~5x the words alone at 10^6);
    instead the unfiltered ranking is read in growing windows and each hit's status taken from a
    fast field. The status term adds the same score to every hit of its group, so the order is the
    filtered query's."""
    total, n_status = sum(counts.values()), counts.get(status, 0)
    end = min(skip + want, n_status)
    if end <= skip:
        return []
    if n_status < total * _POST_FILTER_SHARE or end > _POST_FILTER_DEPTH:
        return [addr for _, addr in searcher.search(filtered, want, count=False, offset=skip).hits]
    rank = std_index.STATUS_RANK[status]
    window = min(total, 2 * end * total // n_status + 10)
    while True:
        addrs = [addr for _, addr in searcher.search(base, window, count=False).hits]
        mine = [a for a, r in zip(addrs, searcher.fast_field_values("rank", addrs), strict=True) if r == rank]
        if len(mine) >= end or window >= total:
            return mine[skip:end]
        window = min(total, window * 4)


def _words_on(conn: Connection, store: Store, q: str, terms: list[str], f: Filters, sort: str, limit: int,
              offset: int, want_facets: bool) -> SearchResult:
    index = std_index.open_index(store, conn)
    schema = index.schema
    searcher = index.searcher()
    unfiltered = Filters(None, f.kind, f.area, f.year)
    base = words_query(schema, terms, unfiltered, searcher=searcher)  # every filter but the status

    def with_status(status: str) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, base), (tantivy.Occur.Must,
                                             tantivy.Query.term_query(schema, "status", status))])

    others = [n for n in ("kind", "area", "year") if n not in f.active()]
    if want_facets and f.status:
        facets = _status_facets(searcher, base, f.status, others)
    else:
        facets = _aggregate(searcher, base, ["status"] + (others if want_facets else []))
    if want_facets:
        for name in ("kind", "area", "year"):  # an active filter's own facet counts without it
            if name not in others:
                facets.update(_aggregate(searcher, words_query(schema, terms, f, skip=name, searcher=searcher),
                                         [name]))
    counts = facets["status"]
    groups = [f.status] if f.status else list(STANDARD_STATUSES)
    total = sum(counts.get(g, 0) for g in groups)
    if sort == "date":
        query = with_status(f.status) if f.status else base
        hits = [addr for _, addr in searcher.search(query, limit, count=False, order_by_field="day",
                                                     offset=offset).hits]
    else:
        # Current standards first, then upcoming, then withdrawn, BM25 within each (boosting by
        # status in one query costs ~2x more CPU).
        hits, skip, want = [], offset, limit
        for status in groups:
            n = counts.get(status, 0)
            if want <= 0:
                break
            if skip >= n:
                skip -= n
                continue
            part = _status_hits(searcher, base, with_status(status), status, counts, skip, want)
            hits += part
            want -= len(part)
            skip = 0
    ids = searcher.fast_field_values("id", hits) if hits else []
    by_id = _by_ids(conn, ids)
    items = items_for(conn, [by_id[i] for i in ids if i in by_id], terms)
    return SearchResult(q, "words", terms, total, items,
                        _facets_out({k: facets.get(k, Counter()) for k in AGGS}) if want_facets else {})


# ---------------------------------------------------------------- 查新: batch currency check

@dataclass
class CheckRow:
    given: str
    number: str | None
    status: str  # 现行 / 即将实施 / 废止 / 未收录 / 无法识别
    title: str | None = None
    standard_id: int | None = None
    replaced_by: list[str] = field(default_factory=list)
    current: str | None = None  # the edition in force now, following replacements
    current_id: int | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _latest_replacement(s: Session, key: str) -> tuple[list[str], Standard | None]:
    """Follow 被代替 links to the end; stop at cycles."""
    chain: list[str] = []
    seen = {key}
    last: Standard | None = None
    cur = key
    while True:
        rep = s.scalars(select(StandardReplacement).where(StandardReplacement.old_key == cur)
                        .order_by(StandardReplacement.new_key.desc())).first()
        if rep is None or rep.new_key in seen:
            return chain, last
        seen.add(rep.new_key)
        chain.append(rep.new_number)
        last = s.scalar(select(Standard).where(Standard.key == rep.new_key)) or last
        cur = rep.new_key


def check(store: Store, numbers: list[str]) -> list[CheckRow]:
    out: list[CheckRow] = []
    with store.session() as s:
        for given in numbers[:2000]:
            try:
                n = parse(given)
            except NumberError as exc:
                out.append(CheckRow(given, None, "无法识别", note=f"E951 {exc.reason}"))
                continue
            _, ids = _number_ids(s, [n])
            rows = sorted(_by_ids(s, ids).values(), key=lambda st: _sort_key(st, "relevance"))
            exact = [st for st in rows if st.base_key == n.base_key or st.loose_key == n.loose_key
                     or n.kind in ("ISO", "IEC")]
            if n.year:
                exact = [st for st in exact if st.year == n.year] or exact
            if not exact:
                out.append(CheckRow(given, n.display, "未收录", note="目录中没有这个标准号 / not in the catalogue"))
                continue
            if n.year:
                st = exact[0]
            else:  # no year given: the newest edition
                st = max(exact, key=lambda x: (x.year or 0, -STATUS_ORDER.get(x.status, 3)))
            chain, last = _latest_replacement(s, st.key)
            row = CheckRow(given, st.number, st.status, st.title, st.id, chain)
            if last is not None and last.key != st.key:
                row.current, row.current_id = last.number, last.id
            if n.kind in ("ISO", "IEC"):
                row.note = f"{n.display} 的国内采标 / Chinese adoption"
            elif n.year is None:
                row.note = "未给年代号，取最新版 / no year given: newest edition"
            out.append(row)
    return out
