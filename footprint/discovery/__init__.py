"""Discovery: sweep usernames across a site catalog."""
