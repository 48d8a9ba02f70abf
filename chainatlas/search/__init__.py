"""Chinese full-text search over documents and organizations, with facets and highlighting.

Text is cut with jieba in search mode (a long word also yields its dictionary sub-words:
新冠疫苗 → 新冠 / 疫苗 / 新冠疫苗), so two-character terms such as 疫苗 are found, which an
FTS5 trigram index silently misses. The tokens live in the store itself, so search works
the same on SQLite (FTS5, unicode61 over the pre-cut tokens) and PostgreSQL (a tsvector
built from the token array, GIN-indexed), with no separate index files to ship or sync.
"""

from chainatlas.search.service import SearchHit, SearchResult, ensure_index, reindex_organization, search

__all__ = ["SearchHit", "SearchResult", "ensure_index", "reindex_organization", "search"]
