"""Asset checks beyond the dbt tests: on attribution (attribution.py) and on
spend (spend.py). Checks only read; the SQL they read is orchestration/health.py."""
