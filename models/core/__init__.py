"""Foundation every area uses: database, errors, clock, audit trail, access rules, evidence."""
