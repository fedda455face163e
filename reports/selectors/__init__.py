"""Reads behind every report. All figures are aggregated by the database."""
