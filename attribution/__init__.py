"""Campaign attribution: database plumbing, migrations and demo data."""
