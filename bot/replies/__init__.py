"""What the helpline says: the bilingual message catalogue and the replies composed from facts."""
