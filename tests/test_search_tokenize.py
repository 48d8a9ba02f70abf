"""Why jieba search-mode tokens: two-character Chinese terms must be findable, which a
SQLite FTS5 trigram index cannot do (it silently returns nothing for 疫苗)."""

from __future__ import annotations

import sqlite3

from chainatlas.search.tokenize import highlight_pieces, index_tokens, query_terms

TEXT = "泰州医药高新区新冠疫苗生产基地开工，CDMO平台同步投运。"


def test_two_character_terms_are_index_tokens() -> None:
    toks = set(index_tokens(TEXT))
    for term in ("疫苗", "泰州", "医药", "高新区", "cdmo", "开工"):
        assert term in toks, term


def test_query_terms() -> None:
    assert query_terms("泰州 疫苗") == ["泰州", "疫苗"]
    assert query_terms("  ，。 ") == []
    assert query_terms("CDMO") == ["cdmo"]


def test_fts5_with_pretokenized_text_finds_what_trigram_misses() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE tri USING fts5(t, tokenize='trigram')")
    db.execute("CREATE VIRTUAL TABLE jb USING fts5(t, tokenize='unicode61')")
    db.execute("INSERT INTO tri VALUES (?)", (TEXT,))
    db.execute("INSERT INTO jb VALUES (?)", (" ".join(index_tokens(TEXT)),))
    assert db.execute("SELECT count(*) FROM tri WHERE tri MATCH '\"疫苗\"'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM jb WHERE jb MATCH '\"疫苗\"'").fetchone()[0] == 1


def test_highlight_pieces_mark_every_match() -> None:
    pieces = highlight_pieces(TEXT, ["疫苗", "cdmo"])
    assert "".join(t for t, _ in pieces) == TEXT
    assert [t for t, hit in pieces if hit] == ["疫苗", "CDMO"]
    assert highlight_pieces("", ["x"]) == []
