"""Complainant identity: the one guard through which it is read (see guard.py)."""
