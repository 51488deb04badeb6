"""The bookingbot core: every rule of the product, with no Telegram in sight."""
