"""The bookingbot Telegram layer."""
