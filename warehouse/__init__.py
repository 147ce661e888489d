"""The warehouse: the database server, credentials and roles, migrations and
the dbt runner. No attribution rule lives here: those are in the dbt models."""
