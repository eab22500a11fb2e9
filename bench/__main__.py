"""``python -m bench [checkout|settle|analytics]`` — every benchmark by default; exit 1 when a target is missed."""

import sys

from bench import analytics, checkout, settle

BENCHES = {"checkout": checkout.main, "settle": settle.main, "analytics": analytics.main}

names = sys.argv[1:] or list(BENCHES)
results = {}
for name in names:
    print(f"=== {name} ===", flush=True)
    results[name] = BENCHES[name]()
print("=== summary: " + ", ".join(f"{n} {'PASS' if ok else 'MISS'}" for n, ok in results.items()))
sys.exit(0 if all(results.values()) else 1)
