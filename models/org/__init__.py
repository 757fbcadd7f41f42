"""Organisation: agencies and their groups, user accounts, logins and API tokens."""
