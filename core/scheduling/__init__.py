"""Scheduling rules: free slots across time zones and what users type about time.

Everything here is pure: no database, no clock (callers inject `now`), no Telegram.
"""
