"""Ingest: agency extracts → canonical tables and ``rejects``, every row accounted for.

``manifest`` says where the files are and how headers map; ``readers`` turn a file into
numbered rows of text; ``parse`` cleans and types them; ``load`` writes them atomically.
"""
