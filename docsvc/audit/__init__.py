from docsvc.audit.chain import GENESIS, Actor, actor_of, append, append_each, verify_chain

__all__ = ["GENESIS", "Actor", "actor_of", "append", "append_each", "verify_chain"]
