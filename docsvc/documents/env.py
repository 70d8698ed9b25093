"""What rendering a document needs from its surroundings: the content store and the settings
(data directory, fonts, limits). The web layer builds one per request, the worker one per job."""

from __future__ import annotations

from dataclasses import dataclass

from docsvc.config import Settings
from docsvc.store import Store


@dataclass
class Env:
    """What rendering needs besides the database: the store and the data directory."""

    store: Store
    settings: Settings
