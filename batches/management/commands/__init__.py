"""batch_run and batch_resume."""
