"""The store side of sync (no Qt). Public API for the UI: :mod:`sync.api`.

Protocol schemas shared with HQ live in :mod:`sync.protocol`.
"""
