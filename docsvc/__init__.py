"""docsvc: code-enforcement document generation and records management.

The application factory is `docsvc.app.create_app`.
"""

__version__ = "0.1.0"
