"""Curated facts with their sources: the referral directory and the recruitment-fee rules."""
