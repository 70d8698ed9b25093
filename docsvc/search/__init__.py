"""Full-text search in the database's own engine: SQLite FTS5 or PostgreSQL tsvector."""
