"""Realistic charts (issues 11 and 12): EHR-styled hook requests with clinical expectations."""
