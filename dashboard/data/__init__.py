"""Data access for the app: every SQL statement the app runs lives here.

Reads go to ``marts``; writes go to ``marketing`` and ``app``. Every statement
binds its parameters.
"""
