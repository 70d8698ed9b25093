from docsvc.audit.chain import GENESIS, Actor, actor_of, append, append_each, verify_chain
from docsvc.audit.keys import AuditKeyError, KeySource

__all__ = [
    "GENESIS",
    "Actor",
    "AuditKeyError",
    "KeySource",
    "actor_of",
    "append",
    "append_each",
    "verify_chain",
]
