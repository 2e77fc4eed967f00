"""Use cases: load rows, call the domain, write, commit once, publish after commit."""
