"""Known content: perceptual hashes of images and videos, hash lists, and matching against them.

Why a package of its own: matching a file against a list of known items (PDQ, the hash the
trust-and-safety world shares) is evidence that the file IS that item, which is a different
question from whether its pixels look generated.  The ``known`` detector, the ``synthcheck hash``
command and the near-duplicate grouping of a scan all use these modules:

- ``compute``: SHA-256 is the scan's own; PDQ (with quality, and its eight dihedral variants),
  pHash and dHash of an image; PDQ per second of a video.
- ``lists``: reading hash lists (plain CSV/TSV, ``synthcheck hash`` output, ThreatExchange PDQ
  export, vPDQ), with line-numbered errors, into arrays that worker processes map from disk.
- ``index``: multi-index hashing, so a file is matched against a million hashes without a scan.
- ``groups``: near-duplicates among the files of one scan.
"""
