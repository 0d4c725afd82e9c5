"""Exposure beyond the person's own posts: breaches that hold their emails or passwords
(Have I Been Pwned), the public Gravatar profile behind each email, and what a recruiter's
search of their name turns up (a guided step: footprint never scrapes search engines)."""
