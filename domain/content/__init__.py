"""The mini-program home's content: the banner carousel and the notices, edited by staff (首页装修)."""
