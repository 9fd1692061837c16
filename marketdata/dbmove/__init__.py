"""Moving the whole database between backends: copy, verify, back up (copy_database, verify_database)."""
