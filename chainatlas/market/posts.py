"""Reading posts from JSON Lines files: a bad line is named with its line and field and skipped."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from chainatlas.errors import MarketError

NEED_FIELDS = ("id", "title", "description")
OFFER_FIELDS = ("id", "title", "description")


@dataclass
class Loaded:
    rows: list[dict] = field(default_factory=list)
    errors: list[MarketError] = field(default_factory=list)


def read_jsonl(path: Path, required: tuple[str, ...]) -> Loaded:
    out = Loaded()
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MarketError(f"cannot read {path}: {exc}", code="E901") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            out.errors.append(MarketError(f"不是合法的 JSON / invalid JSON: {exc.msg}", where=where, code="E902"))
            continue
        if not isinstance(row, dict):
            out.errors.append(MarketError("每行应为一个对象 / each line must be an object", where=where, code="E902"))
            continue
        missing = [f for f in required if not str(row.get(f) or "").strip()]
        if missing:
            out.errors.append(MarketError(f"缺少字段 / missing field: {', '.join(missing)}",
                                          where=f"{where} {missing[0]}", code="E903"))
            continue
        if str(row["id"]) in seen:
            out.errors.append(MarketError(f"重复的 id / duplicate id {row['id']!r}", where=f"{where} id", code="E904"))
            continue
        seen.add(str(row["id"]))
        out.rows.append(row)
    return out
