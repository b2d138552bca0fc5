"""Crash safety of the feed: calls survive a server killed mid-request, once each."""
