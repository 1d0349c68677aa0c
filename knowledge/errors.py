"""Errors of the knowledge layer.

KnowledgeError
├── IngestError          a source file cannot be read or holds nothing usable (names the file)
├── IndexMissingError    no index has been built yet
├── IndexMismatchError   the index was built with another embedder: rebuild it
├── IndexUnavailableError  the index store (a Chroma server, its folder) cannot be read right now
│   └── StaleSnapshotError   a query's snapshot was swept by two re-indexes (the retriever retries)
└── QueryError           an empty or over-long query
"""


class KnowledgeError(Exception):
    pass


class IngestError(KnowledgeError):
    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class IndexMissingError(KnowledgeError):
    pass


class IndexMismatchError(KnowledgeError):
    pass


class IndexUnavailableError(KnowledgeError):
    pass


class StaleSnapshotError(IndexUnavailableError):
    pass


class QueryError(KnowledgeError):
    pass
