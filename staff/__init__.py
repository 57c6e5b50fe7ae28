"""The clinic's callback inbox: its logic (inbox.py), the deployed function's sign-in check (auth.py), app and
Lambda entry point. The local server (server/staff.py) shows the same inbox behind its own sign-in."""
