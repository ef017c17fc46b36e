"""synthcheck: offline forensic evidence that an image or video was made or altered by generative AI.

The library API (``synthcheck.api``) is what the CLI calls; researchers can import it directly.
"""

__version__ = "0.1.0"
SCHEMA_VERSION = "1.0"
