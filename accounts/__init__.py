"""Accounts: sign-up, login and logout; the first account on a fresh install is the superuser."""
