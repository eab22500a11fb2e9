"""``python -m bench [checkout|flash_sale|settle|analytics]`` — every benchmark by default; exit 1 when a target is
missed. Each prints its figures against their targets."""

import sys

from bench import analytics, checkout, flash_sale, settle

BENCHES = {"checkout": checkout.main, "flash_sale": flash_sale.main, "settle": settle.main,
           "analytics": analytics.main}

names = sys.argv[1:] or list(BENCHES)
results = {}
for name in names:
    print(f"=== {name} ===", flush=True)
    results[name] = BENCHES[name]()
print("=== summary: " + ", ".join(f"{n} {'PASS' if ok else 'MISS'}" for n, ok in results.items()))
sys.exit(0 if all(results.values()) else 1)
