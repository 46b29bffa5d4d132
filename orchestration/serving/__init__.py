"""What BI tools read: the published serving copy, its ledger, and the outcome report."""
