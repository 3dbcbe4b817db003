"""The architecture generator (built in the generator issue)."""
