"""The clinical review sheet: everything Cramp Check can say, and why, for a clinician to read and sign off."""
