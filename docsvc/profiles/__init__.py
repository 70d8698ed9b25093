from docsvc.profiles.loader import (
    ProfileError,
    check_profile_path,
    load_profile_file,
    shipped_profile_paths,
)
from docsvc.profiles.model import Profile

__all__ = [
    "Profile",
    "ProfileError",
    "check_profile_path",
    "load_profile_file",
    "shipped_profile_paths",
]
