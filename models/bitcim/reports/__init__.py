"""Tables and figures of results: sweeps, fault campaigns, run reports, Table 1, savings."""
