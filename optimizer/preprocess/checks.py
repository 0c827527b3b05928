"""Checks across keys that the schema alone cannot make (ids, horizons, groups)."""
from __future__ import annotations

from collections import Counter

from optimizer.errors import Problem
from optimizer.models.registry import in_build_order, load_all
from optimizer.preprocess.schema import BUILT_IN_LINES, CONSTANT, Scenario, context_of
from optimizer.preprocess.yamlio import Locations, pretty_path, where_of


def _schedules(s: Scenario):
    """(loc, schedule) for every schedule that must lie inside the horizon."""
    r = s.resources
    for rid, spec in r:
        key = "budget" if rid == "fiscal" else "supply"
        yield ("resources", rid, key), getattr(spec, key)
    yield from _target_schedules(s.targets, ("targets",))
    for i, c in enumerate(s.categories):
        for res, b in c.bounds:
            if b is not None:
                yield ("categories", i, "bounds", res, "min"), b.min
                yield ("categories", i, "bounds", res, "max"), b.max


def _target_schedules(node, loc: tuple):
    """Every schedule ({year: value}) inside the targets, however deep (a need-met floor's min, a coverage type's
    villages): a dict keyed by whole numbers is one; models and dicts of models are walked into."""
    from pydantic import BaseModel

    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _target_schedules(getattr(node, name), loc + (name,))
    elif isinstance(node, dict) and node:
        if all(isinstance(k, int) and not isinstance(k, bool) for k in node):
            yield loc, node
        else:
            for key, value in node.items():
                if isinstance(value, BaseModel | dict):
                    yield from _target_schedules(value, loc + (key,))


def cross_check(s: Scenario, raw: dict, locs: Locations) -> list[Problem]:
    out: list[Problem] = []

    def add(loc: tuple, msg: str) -> None:
        out.append(Problem(where_of(locs, loc), pretty_path(raw, loc), msg))

    years = s.years
    for i in range(1, len(years)):
        if years[i] <= years[i - 1]:
            add(("years", i), f"expected years in increasing order without repeats, found {years[i]} after {years[i - 1]}")
    lo, hi = min(years), max(years)

    for what, items in (("regions", s.regions), ("categories", s.categories)):
        counts = Counter(it.id for it in items)
        for i, it in enumerate(items):
            if counts[it.id] > 1:
                add((what, i, "id"), f"expected unique ids, found '{it.id}' {counts[it.id]} times")
                counts[it.id] = 0  # report each duplicate once

    region_ids = {r.id for r in s.regions}
    cat_ids = {c.id for c in s.categories}
    if s.population:
        for rid in s.population:
            if rid not in region_ids:
                add(("population", rid), f"expected a region id from 'regions', found '{rid}'")
    for i, r in enumerate(s.regions):
        if not r.population and not (s.population and r.id in s.population):
            add(("regions", i, "population"), "expected a population (here or in the 'population' table), found none")
        if r.base_split:
            for res, split in r.base_split.items():
                for cid in split:
                    if cid not in cat_ids:
                        add(("regions", i, "base_split", res, cid), f"expected a category id, found '{cid}'")
                total = sum(split.values())
                if abs(total - 1) > 1e-6:
                    add(("regions", i, "base_split", res), f"expected shares summing to 1, found {total:.6g}")

    _check_phases(s, add)
    _check_subpopulations(s, add)
    lines = set(BUILT_IN_LINES) | set(s.spending_lines)
    for i, r in enumerate(s.regions):
        for line in r.spending or {}:
            if line not in lines:
                add(("regions", i, "spending", line), f"expected a spending line ({', '.join(sorted(lines))}; "
                    f"declare others under 'spending_lines:'), found '{line}'")

    for loc, sched in _schedules(s):
        if not isinstance(sched, dict) or not sched:  # a schedule: a family's plain number is not one
            continue
        if CONSTANT in sched and len(sched) > 1:
            add(loc, "expected either one number or {year: value} milestones, found both")
            continue
        for year in sched:
            if year != CONSTANT and not lo <= year <= hi:
                add(loc + (year,), f"expected a year within the horizon {lo}-{hi}, found {year}")

    load_all()
    for fam in in_build_order():  # what each family's own rules say of the scenario
        for loc, msg in fam.validate(s) if fam.validate else ():
            add(loc, msg)
    for i, c in enumerate(s.categories):
        for res, b in c.bounds:
            if b and b.min and b.max:
                for y in set(b.min) & set(b.max):
                    if b.min[y] > b.max[y]:
                        add(("categories", i, "bounds", res),
                            f"expected min <= max, found min {b.min[y]:g} > max {b.max[y]:g} for {y or 'every year'}")
    if s.sharing is not None and s.sharing.enabled:
        _check_sharing(s, region_ids, cat_ids, add)
    _check_families(s, raw, locs, out, add)
    return out


def _check_subpopulations(s: Scenario, add) -> None:
    """A category serves a declared sub-population; every region has a share of each (its own or the scenario's)."""
    known = sorted(s.subpopulations)
    for j, c in enumerate(s.categories):
        if c.serves is not None and c.serves not in s.subpopulations:
            add(("categories", j, "serves"), f"expected a sub-population declared under 'subpopulations:' "
                                             f"({', '.join(known) or 'none declared'}), found '{c.serves}'")
    for i, r in enumerate(s.regions):
        for sid in r.subpopulation_share or {}:
            if sid not in s.subpopulations:
                add(("regions", i, "subpopulation_share", sid), f"expected a sub-population declared under "
                    f"'subpopulations:' ({', '.join(known) or 'none declared'}), found '{sid}'")
    for sid, sp in s.subpopulations.items():
        if sp.share is None:
            missing = [r.id for r in s.regions if not (r.subpopulation_share and sid in r.subpopulation_share)]
            if missing:
                add(("subpopulations", sid, "share"), f"expected a share of residents (here, or each region's "
                    f"subpopulation_share.{sid}), found none for {', '.join(missing[:8])}"
                    + (f" and {len(missing) - 8} more" if len(missing) > 8 else ""))


def _check_phases(s: Scenario, add) -> None:
    """Phases do not overlap: a year belongs to one phase at most."""
    seen: dict[int, str] = {}
    for pid, p in (s.phases or {}).items():
        both = sorted(y for y in p.years if y in seen)
        if both:
            add(("phases", pid, "years"), f"expected phases that do not overlap, found {both[0]} in both "
                f"'{seen[both[0]]}' and '{pid}'")
        for y in p.years:
            seen.setdefault(y, pid)


def _check_families(s: Scenario, raw, locs, out, add) -> None:
    import difflib

    from pydantic import ValidationError

    from optimizer.models.registry import FAMILIES, where_families_are

    if not s.families:
        return
    load_all()
    switchable = sorted(n for n, f in FAMILIES.items() if f.params is not None)
    for name, params in s.families.items():
        fam = FAMILIES.get(name)
        if fam is None or fam.params is None:
            near = difflib.get_close_matches(name, switchable, n=3, cutoff=0.5)
            add(("families", name), f"expected a family with parameters ({', '.join(switchable) or 'none yet'}; looked in "
                f"{where_families_are()}), found '{name}'" + (f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""))
            continue
        try:
            fam.params.model_validate(params, context=context_of(s))
        except ValidationError as err:
            from optimizer.preprocess.load import problems_from_validation

            errors = [{**e, "loc": ("families", name) + tuple(e["loc"])} for e in err.errors()]
            out.extend(problems_from_validation(errors, raw, locs, fam.params))


def _check_sharing(s: Scenario, region_ids: set, cat_ids: set, add) -> None:
    sh = s.sharing
    for what, items in (("providers", sh.providers), ("communities", sh.communities)):
        counts = Counter(it.id for it in items)
        for i, it in enumerate(items):
            if counts[it.id] > 1:
                add(("sharing", what, i, "id"), f"expected unique ids, found '{it.id}' {counts[it.id]} times")
                counts[it.id] = 0
            if it.region not in region_ids:
                add(("sharing", what, i, "region"), f"expected a region id from 'regions', found '{it.region}'")
    if bool(sh.roads) == bool(sh.travel_times):
        add(("sharing",), "expected either 'roads' (a road graph) or 'travel_times' (a table), found "
            + ("both" if sh.roads else "neither"))
    elif sh.roads:
        nodes = {r.source for r in sh.roads} | {r.target for r in sh.roads}
        for what, items in (("providers", sh.providers), ("communities", sh.communities)):
            for i, it in enumerate(items):
                if it.node not in nodes:
                    add(("sharing", what, i, "node"), f"expected a node of the road graph, found '{it.node}'")
    else:
        pids, cids = {p.id for p in sh.providers}, {c.id for c in sh.communities}
        for i, tt in enumerate(sh.travel_times):
            if tt.provider not in pids:
                add(("sharing", "travel_times", i, "provider"), f"expected a provider id, found '{tt.provider}'")
            if tt.community not in cids:
                add(("sharing", "travel_times", i, "community"), f"expected a community id, found '{tt.community}'")
    for i, cid in enumerate(sh.categories or []):
        if cid not in cat_ids:
            add(("sharing", "categories", i), f"expected a category id, found '{cid}'")
    if not any(max(c.standard.facility.values()) > 0 and (sh.categories is None or c.id in sh.categories) for c in s.categories):
        add(("sharing",), "expected at least one category with a facility standard for shared space to serve, found none")
