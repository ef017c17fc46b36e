"""Built-in detectors, one subpackage each, declared in the ``synthcheck.detectors`` entry-point group."""
