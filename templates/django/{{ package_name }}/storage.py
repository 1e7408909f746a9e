"""Static files storage that works before and after ``collectstatic``."""

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed storage, usable without a manifest.

    ``manage.py collectstatic`` (the Docker image runs it) writes hashed,
    compressed copies and a manifest to STATIC_ROOT; WhiteNoise then serves them
    with far-future cache headers. Before it has run (gunicorn right after
    install), URLs keep the files' own names and WhiteNoise finds the files in
    the apps (settings.WHITENOISE_USE_FINDERS), instead of every page that uses
    the static tag failing on the missing manifest.
    """

    def url(self, name: str | None, force: bool = False) -> str:
        """The hashed URL once collected, else the plain one."""
        if self.hashed_files or force:
            return super().url(name, force)
        return FileSystemStorage.url(self, name)
