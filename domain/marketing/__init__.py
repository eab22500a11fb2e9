"""Marketing: coupons, 满减 and limited-time discounts (docs/money-and-rules.md, "Marketing")."""
