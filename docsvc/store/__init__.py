from docsvc.store.filestore import FileStore, IntegrityError, StorageError, StoredFile

__all__ = ["FileStore", "IntegrityError", "StorageError", "StoredFile"]
