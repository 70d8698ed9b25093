from docsvc.audit.chain import GENESIS, Actor, append, verify_chain

__all__ = ["GENESIS", "Actor", "append", "verify_chain"]
