"""Reminders (24 h and 1 h before a session) and outbox notifications (every change of a
booking, messages, agenda digests) delivered as chat messages, once each.

- ``dispatcher``: the delivery loop that claims due work, sends it and records outcomes;
- ``rendering``: what each message says, in its reader's language and time zone;
- ``pacing``: Telegram's rate limits, and outcomes written in groups.
"""
