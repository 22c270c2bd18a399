"""Everything that talks to GitHub: the only package that imports githubkit.

The app authenticates with its JWT, then as one installation with a token narrowed to the one
repository and the permissions a review needs (`app`). Requests follow one policy (`policy`): reads
are retried on 5xx and timeouts, a write that may have gone through is reconciled by looking first,
rate limits are honoured and writes are paced. `repository` holds the calls a review makes.
"""

from bot.app.github.app import PERMISSIONS, GitHubApp, convert_manifest
from bot.app.github.policy import RateLimited, TooLarge
from bot.app.github.repository import (
    ANNOTATIONS_PER_REQUEST,
    CHECK_NAME,
    FILES_LISTED,
    RECHECK_BUTTON,
    FileEntry,
    Pull,
    Repository,
    parse_external_id,
)

__all__ = [
    "ANNOTATIONS_PER_REQUEST",
    "CHECK_NAME",
    "FILES_LISTED",
    "PERMISSIONS",
    "RECHECK_BUTTON",
    "FileEntry",
    "GitHubApp",
    "Pull",
    "RateLimited",
    "Repository",
    "TooLarge",
    "convert_manifest",
    "parse_external_id",
]
