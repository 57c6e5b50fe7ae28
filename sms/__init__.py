"""The SMS line: a Twilio Messaging webhook that runs the shared triage over text messages."""
