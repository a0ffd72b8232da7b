"""The factor families, one module each: its metrics' functions and their registry records
(``METRICS``). :mod:`factorlab.factors.registry` collects them.
"""
