"""Renderers: pure functions from a `Report` to the text a user or a script reads.

One module per format (`text`, `json`, `markdown`, `chain`); `live` is the terminal progress observer. Nothing here
prints or keeps state: the CLI decides where the string goes.
"""
