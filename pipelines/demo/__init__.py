"""The demo: the bundled sample of both forces' logs (sample/) and the mirror server that serves it."""

from importlib.resources import files
from pathlib import Path

# A real folder in a wheel or a checkout alike: the mirror serves files from disk.
SAMPLE = Path(str(files(__name__) / "sample"))
SAMPLE_SITE = SAMPLE / "site"
