"""Landing files into the raw schema: the contract, readers, loader SQL, quarantine, raw export."""
