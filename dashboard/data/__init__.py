"""Data access for the app: every SQL statement the app runs lives here.

Reads go to ``marts`` (and, for the debug page, the activity-window model);
writes go to ``marketing`` and ``app``. Every statement binds its parameters.
"""
