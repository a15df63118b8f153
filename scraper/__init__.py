"""Crawlers: decide what to fetch from each layout of disclosure log, and fetch it."""
