"""Conversations of the bot: one module per conversation, each with `register(application)`."""
