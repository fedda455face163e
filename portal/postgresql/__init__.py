"""PostgreSQL through psycopg 3, with a health check that costs no round trip (base.py)."""
