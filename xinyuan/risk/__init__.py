"""Risk: triage of what seekers write, screening instruments, crisis escalation."""
