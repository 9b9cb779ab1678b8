"""Export and import of conversations: the file formats, written and read (no database access)."""
