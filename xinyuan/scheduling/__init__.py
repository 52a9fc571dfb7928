"""Scheduling: shifts, sign-ups, swaps and the staffing forecast."""
