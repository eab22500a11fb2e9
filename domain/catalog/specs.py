"""The spec matrix: SKUs generated from spec values, 颜色 [黑, 白] × 尺码 [S, M, L] → six SKUs.

Generating again after a value is added keeps the SKUs that are still there (their id, prices and stock), adds
the new combinations at the default price, and leaves out the rest, which ``update_product`` then stops selling.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import product

from domain.catalog.errors import CatalogError
from domain.errors import Invalid

MAX_SPEC_NAME = 16
MAX_SPEC_VALUE = 32


@dataclass(frozen=True)
class SpecAxis:
    """One spec and its values, in the order staff typed them: 颜色: 黑, 白."""

    name: str
    values: tuple[str, ...]


def spec_matrix(axes: list[SpecAxis], *, limit: int) -> list[dict[str, str]]:
    """Every combination of the axes' values, first axis slowest: [{颜色: 黑, 尺码: S}, {颜色: 黑, 尺码: M}, …].
    No axis gives the one default SKU ``{}``."""
    names: list[str] = []
    for axis in axes:
        name = axis.name.strip()
        if not name or len(name) > MAX_SPEC_NAME:
            raise Invalid(CatalogError.INVALID_SPEC, f"规格名需为 1–{MAX_SPEC_NAME} 个字符")
        if name in names:
            raise Invalid(CatalogError.INVALID_SPEC, f"规格名重复：{name}")
        names.append(name)
        if not axis.values:
            raise Invalid(CatalogError.INVALID_SPEC, f"规格“{name}”至少需要一个值")
        if any(not v.strip() or len(v.strip()) > MAX_SPEC_VALUE for v in axis.values):
            raise Invalid(CatalogError.INVALID_SPEC, f"规格“{name}”的值需为 1–{MAX_SPEC_VALUE} 个字符")
        if len({v.strip() for v in axis.values}) != len(axis.values):
            raise Invalid(CatalogError.INVALID_SPEC, f"规格“{name}”的值有重复")
    count = 1
    for axis in axes:
        count *= len(axis.values)
    if count > limit:
        raise Invalid(CatalogError.TOO_MANY_SKUS, f"规格组合共 {count} 个，不能超过 {limit} 个")
    return [dict(zip(names, (v.strip() for v in combination), strict=True))
            for combination in product(*(axis.values for axis in axes))]


def matrix_skus(axes: list[SpecAxis], existing: list, *, make, limit: int) -> list:
    """The SKUs for the matrix: an ``existing`` SKU (anything with ``specs``) whose specs are a combination is
    kept as it is; each other combination is ``make(specs)``."""
    by_specs = {tuple(sorted(s.specs.items())): s for s in existing}
    skus = []
    for specs in spec_matrix(axes, limit=limit):
        kept = by_specs.get(tuple(sorted(specs.items())))
        skus.append(replace(kept, specs=specs) if kept is not None else make(specs))
    return skus
