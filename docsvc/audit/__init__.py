from docsvc.audit.chain import GENESIS, Actor, append, append_each, verify_chain

__all__ = ["GENESIS", "Actor", "append", "append_each", "verify_chain"]
