"""Customer analyses as pure functions over pandas DataFrames.

Nothing here imports Odoo: each function takes plain frames (read from the
profiles, orders or snapshots by the caller) and returns frames, so it is
tested on fixed inputs with exact expected outputs and reused by the
reports, the dashboard and the XLSX export.
"""
