"""Notifications: targets, the deadline ladder and sweep, the outbox dispatcher, message text."""
