"""Member pages of the cases app: people, households, cases, referrals (one module each)."""
