"""Datasets: manifests, cached and verified downloads, mirrors and synthetic twins.

The one call a lesson needs is ``fetch(name, source=DATA_SOURCE)``, which returns the dataset's
root folder.
"""

from .cache import cache_root, dataset_dir, use_drive_cache
from .errors import (
    DataError,
    FetchError,
    IntegrityError,
    LayoutError,
    ManifestError,
    SourceError,
    UnsafeArchiveError,
)
from .fetch import UnverifiedDownloadWarning, build_twin, ensure_download, fetch
from .manifest import FileSpec, Manifest, list_datasets, load_manifest, manifests_dir
from .pack import PackResult, pack
from .verify import FileStatus, verify

__all__ = [
    "DataError", "FetchError", "FileSpec", "FileStatus", "IntegrityError", "LayoutError",
    "Manifest", "ManifestError", "PackResult", "SourceError", "UnsafeArchiveError",
    "UnverifiedDownloadWarning", "build_twin", "cache_root", "dataset_dir", "ensure_download",
    "fetch", "list_datasets", "load_manifest", "manifests_dir", "pack", "use_drive_cache", "verify",
]
