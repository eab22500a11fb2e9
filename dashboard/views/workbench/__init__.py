"""The parts of the 数据分析 workbench (``views/analytics.py``), one tab each, and the cached reads they share."""
