from docsvc.store.filestore import FileStore, IntegrityError, StoredFile

__all__ = ["FileStore", "IntegrityError", "StoredFile"]
