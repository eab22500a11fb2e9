"""A fake WeChat for development and tests: ``python -m backend sandbox``.

It speaks the same HTTP and XML as WeChat, checks and makes the same MD5 signatures, and records what it
receives, so that wechatpy and our notification handling run for real on one machine. ``app`` assembles it from
one router per WeChat product.
"""
