"""Knowledge layer: ingest, chunk, index and retrieve the partner-center rules.

Imports nothing from ``assistant`` or ``api``.
"""

from .documents import Chunk, ErrorCode, Excerpt
from .embedders import Embedder, HashEmbedder, make_embedder
from .errors import IndexMismatchError, IndexMissingError, IngestError, KnowledgeError, QueryError
from .index import DEFAULT_CORPUS, BuildReport, KnowledgeIndex, Manifest, make_client
from .retrieval import Retriever, SearchHit, SearchResult

__all__ = [
    "DEFAULT_CORPUS", "BuildReport", "Chunk", "Embedder", "ErrorCode", "Excerpt", "HashEmbedder",
    "IndexMismatchError", "IndexMissingError", "IngestError", "KnowledgeError", "KnowledgeIndex", "Manifest",
    "QueryError", "Retriever", "SearchHit", "SearchResult", "make_client", "make_embedder",
]
