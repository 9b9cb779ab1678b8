"""`manage.py outbox_flush` and `turns_reap`: one pass of the background work, from a shell."""
