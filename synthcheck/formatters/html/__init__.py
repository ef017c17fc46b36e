"""Pieces of the ``html`` report: page assets, small embedded pictures, and the parts of a file's section.

Kept apart from ``html_fmt`` (which streams and assembles the page) so that each piece has one job:
``assets`` is the fixed CSS and script, ``images`` turns inputs and report images into small data
URIs, ``parts`` renders one file's evidence.  Nothing here computes evidence.
"""
