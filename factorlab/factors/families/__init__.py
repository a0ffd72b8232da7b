"""The factor families, one module each: its metrics' functions and their registry records.

Each module's records are its ``METRICS``; :mod:`factorlab.factors.registry` collects them.
"""
