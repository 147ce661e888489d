"""What attribution_nightly adds to its full ``dbt build``: the full refresh
compared with the incremental facts (full_refresh.py, comparison.py) and the
campaign lift estimates (lift.py)."""
