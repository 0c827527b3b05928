"""Synthetic county-level scenarios, reproducible from a seed.

Assumptions (also written into the scenario's header):
- Counties are dealt to the 31 provinces in proportion to their NBS 2024
  population (at least one each); a province's population is split among its
  counties by a Dirichlet draw (concentration 2), so county totals add up to the
  NBS figure exactly.
- About 30% of counties (the most populous in each province) are urban
  districts; urban populations grow 0.8% a year, rural ones shrink 0.5% a year.
- Baseline per-capita co-construction spending: the plan's group figures (East
  860, Central 520, West 480; Northeast 520, ours) times a county factor drawn
  from a lognormal with sigma 0.12, urban counties 10% above rural ones.
- Baseline per-capita public-service spending: the plan's 2022 figures (East
  12,000, West 5,200; Central and Northeast 6,500, ours) times the same county
  factor, column spending.public_service.
- Social workers 5 per 10k people and community space 0.30 m2/person, each with
  +-20% county noise; special groups 28% of residents +-5 points.
- 12 service categories with standards summing to 1,300 yuan/person/year,
  15 workers per 10k and 0.5 m2/person; budget 7,143 x 100m yuan a year (the
  plan's "at least 5 trillion over 2024-2030"), 210,000 workers and 42 million
  m2 a year.
- The plan's targets: regional gap 1.5x by 2030 (over groups), urban-rural gap
  1.8x by 2027, livelihood share 70%, special groups 15% by 2026 and 25% by
  2030, 15 workers per 10k and 0.5 m2/person by 2030. Ours: both gaps cap the
  co-construction line, not the plan's public-service line: with the plan's
  public-service figures (2.3x between East and West) this money cannot meet
  a 1.5x cap (scenarios/plan.yaml), and these scenarios measure speed at a
  plan that solves.
- From 300 counties on, the fair objective in its quadratic form (ours: at that
  size the solver is Clarabel's interior point, which takes the quadratic form
  at about the cost of the unserved objective, where the piecewise form's bands
  tripled the time at 2,850 counties; bench/results.md).
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml

from optimizer.errors import InputError, Problem, Where
from optimizer.postprocess.places import atomic_files, head_holds, parent_problem

PROVINCE_GROUPS = {
    "Beijing": "east", "Tianjin": "east", "Hebei": "east", "Shanxi": "central", "Innermongolia": "west",
    "Liaoning": "northeast", "Jilin": "northeast", "Heilongjiang": "northeast", "Shanghai": "east",
    "Jiangsu": "east", "Zhejiang": "east", "Anhui": "central", "Fujian": "east", "Jiangxi": "central",
    "Shandong": "east", "Henan": "central", "Hubei": "central", "Hunan": "central", "Guangdong": "east",
    "Guangxi": "west", "Hainan": "east", "Chongqing": "west", "Sichuan": "west", "Guizhou": "west",
    "Yunnan": "west", "Tibet": "west", "Shaanxi": "west", "Gansu": "west", "Qinghai": "west",
    "Ningxia": "west", "Xinjiang": "west",
}
BASE_PC = {"east": 860, "central": 520, "west": 480, "northeast": 520}
PUBLIC_SERVICE_PC = {"east": 12000, "central": 6500, "west": 5200, "northeast": 6500}
CATEGORIES = [  # id, name, livelihood, special-group fraction, fiscal yuan/person, FTE per 10k, m2/person
    ("elderly_care", "养老服务", True, 0.9, 200, 3.0, 0.10),
    ("childcare", "托育服务", True, 0.3, 100, 1.0, 0.05),
    ("disability", "残疾人服务", True, 1.0, 70, 1.0, 0.03),
    ("social_assistance", "社会救助", True, 1.0, 150, 2.0, 0.0),
    ("child_welfare", "儿童关爱", True, 1.0, 50, 1.0, 0.02),
    ("community_services", "社区综合服务", True, None, 120, 2.5, 0.10),
    ("health_services", "基层医疗卫生", True, 0.4, 150, 1.5, 0.05),
    ("education_support", "教育帮扶", True, 0.3, 120, 1.0, 0.05),
    ("employment", "就业服务", True, 0.2, 80, 1.0, 0.02),
    ("housing_support", "住房保障", True, 0.5, 70, 1.0, 0.0),
    ("culture_sports", "文化体育", False, None, 100, 0.0, 0.08),
    ("public_admin", "公共管理与设施运维", False, None, 90, 0.0, 0.0),
]


def _province_population(data: Path) -> dict[str, float]:
    lines = [ln for ln in data.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return {row["region"]: float(row["2024"]) for row in csv.DictReader(lines)}


def _deal(n: int, weights: np.ndarray) -> np.ndarray:
    """n counties dealt in proportion to weights, at least one each (largest remainders)."""
    k = len(weights)
    if n < k:
        raise ValueError(f"need at least {k} regions (one per province), got {n}")
    share = weights / weights.sum() * (n - k)
    base = np.floor(share).astype(int)
    rest = n - k - base.sum()
    base[np.argsort(-(share - base))[:rest]] += 1
    return base + 1


def generate_counties(n: int, years: tuple[int, int], seed: int, out: Path, population_csv: Path) -> Path:
    """Write OUT (a scenario YAML) and its tables beside it; return the YAML path."""
    rng = np.random.default_rng(seed)
    provinces = _province_population(population_csv)
    names = list(PROVINCE_GROUPS)
    pops = np.array([provinces[p] for p in names])
    per = _deal(n, pops)
    y0, y1 = years
    rows, pop_rows = [], []
    for p, total, m in zip(names, pops, per):
        group = PROVINCE_GROUPS[p]
        split = rng.dirichlet(np.full(m, 2.0)) * total
        order = np.argsort(-split)
        urban = np.zeros(m, bool)
        if m > 1:
            urban[order[: max(1, round(0.3 * m))]] = True
        else:  # one county for the whole province: urban only for the municipalities
            urban[0] = p in ("Beijing", "Tianjin", "Shanghai", "Chongqing")
        factor = rng.lognormal(0.0, 0.12, m) * np.where(urban, 1.05, 0.95)
        for i in range(m):
            rid = f"{p}{i + 1:03d}"
            pop = float(split[i])
            growth = 0.008 if urban[i] else -0.005
            rows.append({
                "id": rid, "name": f"{p}-{i + 1}", "group": group, "area": "urban" if urban[i] else "rural",
                "base_spending_pc": round(BASE_PC[group] * factor[i], 2),
                "spending.public_service": round(PUBLIC_SERVICE_PC[group] * factor[i], 2),
                "special_group_share": round(float(np.clip(0.28 + rng.uniform(-0.05, 0.05), 0, 1)), 4),
                "base_workers": round(5.0 * pop * rng.uniform(0.8, 1.2), 1),
                "base_space": round(0.30 * pop * rng.uniform(0.8, 1.2), 3),
                "priority": 1.0 if group == "east" else 1.2,
            })
            pop_rows.append([rid] + [round(pop * (1 + growth) ** (y - 2024), 4) for y in (y0, y1)])
    out = Path(out)
    why = parent_problem(out)
    if why is not None:
        raise InputError([Problem(Where(str(out)), "--out", f"refusing to write there: {why}")])
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = out.stem
    # files are replaced only where the scenario there was written by this command (its tables with it);
    # the scenario, which names the tables, is put in place last
    # (a table reached through a link to another folder is not: the link may name a user's file)
    ours = lambda path: _generated(out) and path.parent.resolve() == out.parent.resolve()  # noqa: E731
    with atomic_files([out.parent / f"{stem}_regions.csv", out.parent / f"{stem}_population.csv", out], ours) as temps:
        tmp_regions, tmp_population, tmp_out = temps
        with tmp_regions.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        with tmp_population.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["region", y0, y1])
            w.writerows(pop_rows)
        tmp_out.write_text(_scenario_text(stem, n, (y0, y1), seed), encoding="utf-8")
    return out


GENERATED = "# generated: opt generate counties"


def _generated(path: Path) -> bool:
    """A scenario this command wrote (its header says so)."""
    return head_holds(path, GENERATED)


QUADRATIC_FROM = 300  # counties from which the generated scenario asks the fair objective's quadratic form


def _scenario_text(stem: str, n: int, years: tuple[int, int], seed: int) -> str:
    y0, y1 = years
    scenario = {  # budgets and supplies are national whatever the number of counties
        "name": stem,
        "title": f"synthetic counties: {n} regions, {y0}-{y1}, seed {seed}",
        "years": f"{y0}:{y1}",
        "regions": {"file": f"{stem}_regions.csv"},
        "population": {"file": f"{stem}_population.csv"},
        "categories": [
            {"id": cid, "name": cname, "livelihood": liv, **({"special_group_fraction": sg} if sg is not None else {}),
             "standard": {"fiscal": f, **({"personnel": pers} if pers else {}), **({"facility": fac} if fac else {})},
             **({"bounds": {"fiscal": {"min": 900}}} if cid == "public_admin" else {})}
            for cid, cname, liv, sg, f, pers, fac in CATEGORIES],
        "resources": {"fiscal": {"budget": 7143}, "personnel": {"supply": 230000, "salary": 8},
                      "facility": {"supply": 4600, "capex": 3000}},
        **({"objective": {"kind": "fair", "fair": {"form": "quadratic"}}} if n >= QUADRATIC_FROM else {}),
        "targets": {
            "regional_gap": {"cap": {min(max(2030, y0), y1): 1.5}, "over": "group", "line": "co_construction"},
            "urban_rural_gap": {"cap": {min(max(2027, y0), y1): 1.8}, "line": "co_construction"},
            "livelihood_share": {"min": 0.7},
            "special_groups_share": {"min": _sched({2026: 0.15, 2030: 0.25}, y0, y1), "resources": ["fiscal", "personnel"]},
            "personnel_density": {"min": {min(max(2030, y0), y1): 15}},
            "facility_standard": {"min": {min(max(2030, y0), y1): 0.5}},
        },
    }
    header = "# " + "\n# ".join((__doc__ or "").strip().splitlines()) + f"\n{GENERATED} --regions {n} --years {y0}:{y1} --seed {seed}\n"
    return header + yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False)


def bundled_population() -> Path:
    """NBS province populations shipped with the package (the same file as scenarios/data)."""
    return Path(__file__).parent / "data" / "province_population.csv"


def _sched(points: dict[int, float], y0: int, y1: int) -> dict[int, float]:
    inside = {y: v for y, v in points.items() if y0 <= y <= y1}
    return inside or {y1: list(points.values())[-1]}
