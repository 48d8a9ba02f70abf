"""The enterprise ladder (企业梯队): who holds which tier, and who is close to the next rung.

Rungs: 规上 (营业收入 2000 万元 for industry, 国家统计局) → 专精特新(省级) → 专精特新小巨人
(= 国家级专精特新) → 制造业单项冠军; beside them 高新技术企业, 瞪羚, 独角兽, 上市.
"Close" is a plain rule per rung that an office can check, never a prediction.
"""

from __future__ import annotations

from chainatlas.analyse.data import ChainData, OrgInfo
from chainatlas.analyse.evidence import evidence, org_ref
from chainatlas.store.models import TIER_LABELS
from chainatlas.units import fmt_wan_report as fmt_wan

GUISHANG_LINE = 2000.0  # 万元: 规模以上工业企业 = 年主营业务收入 2000 万元及以上
NEAR_SHARE = 0.8  # within 20 % below the line
LITTLE_GIANT = ("专精特新小巨人", "专精特新(国家级)")
LISTING_READY_REVENUE = 50000.0  # 万元 (5 亿元): a rough bar for 北交所/创业板 candidates


def _has(o: OrgInfo, year: int | None, *labels: str) -> bool:
    return bool(set(o.tier_labels(year)) & set(labels))


def ladder(data: ChainData, list_limit: int = 50) -> dict:
    year = data.year
    firms = sorted((o for o in data.local if o.kind == "enterprise"), key=lambda o: o.id)
    labels_of = {o.id: set(o.labels_view(year)) for o in firms}  # once per firm, not per rung
    # 规上 is a statistical definition (年营业收入 2000 万元及以上): a firm whose revenue is over the
    # line counts, marked as inferred, whether or not an office's 规上 list was imported.
    inferred: set[int] = set()
    for o in firms:
        rev = o.latest_revenue(year)[1]
        if "规上" not in labels_of[o.id] and rev is not None and rev >= GUISHANG_LINE:
            labels_of[o.id].add("规上")
            inferred.add(o.id)
    by_label: dict[str, list[OrgInfo]] = {}
    for o in firms:
        for label in labels_of[o.id]:
            by_label.setdefault(label, []).append(o)
    tiers = []
    for label in TIER_LABELS:
        holders = list(by_label.get(label, []))
        holders.sort(key=lambda o: (-(o.latest_revenue(year)[1] or 0), o.name))
        grants = [{"organization_id": o.id, "organization": o.name, "issuer": t.issuer,
                   "year_granted": t.year_granted, "expires": t.expires, "source": t.source}
                  for o in holders[:list_limit] for t in o.tiers if t.label == label]
        if label == "规上":
            for o in holders[:list_limit]:
                if o.id in inferred:
                    y, rev = o.latest_revenue(year)
                    grants.append({"organization_id": o.id, "organization": o.name, "issuer": None,
                                   "year_granted": None, "expires": None,
                                   "source": f"按营业收入推定（{fmt_wan(rev)}，{y}年）"})
        tiers.append({"label": label, "count": len(holders),
                      "inferred": sum(1 for o in holders if o.id in inferred) if label == "规上" else 0,
                      "organizations": [org_ref(o, year) for o in holders[:list_limit]],
                      "evidence": {**evidence(data, orgs=holders), "grants": grants}})
    near: list[dict] = []

    def add(rung: str, o: OrgInfo, why: str) -> None:
        ref = org_ref(o, year)
        ref.update(next_rung=rung, why=why)
        near.append(ref)

    for o in firms:
        y, rev = o.latest_revenue(year)
        held = labels_of[o.id]

        def has(*labels: str) -> bool:
            return bool(held & set(labels))  # noqa: B023 (used at once, inside the iteration)

        if not has("规上") and rev is not None and rev >= GUISHANG_LINE * NEAR_SHARE:
            add("规上", o, f"营业收入 {fmt_wan(rev)}（{y}），距规上标准差 {fmt_wan(GUISHANG_LINE - rev)}")
        if has("高新技术企业") and not has("专精特新(省级)", *LITTLE_GIANT) and (rev or 0) >= GUISHANG_LINE:
            add("专精特新(省级)", o, "高新技术企业且已达规上体量，可申报省级专精特新")
        if has("专精特新(省级)") and not has(*LITTLE_GIANT):
            add("专精特新小巨人", o, "已是省级专精特新，可冲刺国家级专精特新「小巨人」")
        if has(*LITTLE_GIANT) and not has("制造业单项冠军"):
            add("制造业单项冠军", o, "已是「小巨人」，主导产品市场占有率居前者可申报单项冠军")
        if has("瞪羚", "独角兽", *LITTLE_GIANT) and not has("上市") and (rev or 0) >= LISTING_READY_REVENUE:
            add("上市", o, f"营业收入 {fmt_wan(rev)}，具备上市培育条件")
    order = {label: i for i, label in enumerate(["规上", "专精特新(省级)", "专精特新小巨人", "制造业单项冠军", "上市"])}
    near.sort(key=lambda n: (order[n["next_rung"]], -(n["revenue"] or 0), n["name"]))
    guishang_rev = sum((o.latest_revenue(year)[1] or 0) for o in firms if "规上" in labels_of[o.id])
    return {"year": year, "enterprises": len(firms), "tiers": tiers, "near_next_rung": near,
            "guishang_revenue": guishang_rev}
