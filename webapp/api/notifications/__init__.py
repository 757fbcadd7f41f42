"""The notification outbox (admins, coordinators) and one's own notifications."""
