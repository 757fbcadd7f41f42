"""Review of submitted reports: accept or return with a reason."""
