"""Where the per-file pipeline runs: ``local`` (``runner``: a pebble process pool on this machine)
or ``ray`` (``ray_engine``: Ray actors on a cluster).  Both yield ``(input index, FileResult)`` in
input order from the same ``pipeline.scan_file``, so a report does not depend on the engine."""
