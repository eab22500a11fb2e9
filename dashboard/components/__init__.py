"""Pieces shared by the screens: the unit of work per click, input parsing, images, the product form."""
