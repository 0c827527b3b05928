"""Writes provinces.csv and west_regions.csv from the NBS populations and the
plan's seed figures. Run from anywhere: python scenarios/data/make_regions.py

The plan (/work/shared/plan/plan.txt, in traditional characters) is quoted as
written. Every number below is the plan's, NBS's, or marked ours with the reason.

- population: NBS year-end resident population 2020-2024, 10k people
  (province_population.csv); held at the 2024 value after 2024.
- groups: the NBS four groups (East, Central, West, Northeast).
- base_spending_pc, the co-construction line (yuan/person/year): the plan's
  "2022年東部地區人均共建共融財政支出達860元,中部為520元,西部僅為480元":
  East 860, Central 520, West 480; Northeast 520 (ours: the plan gives no
  figure; set equal to Central). This line also counts toward need.
- spending.public_service, the public-service line (yuan/person, 2022): the
  plan's "2022年東部地區人均公共服務支出達1.2萬元,西部地區僅為5200元,差距達
  2.3倍": East 12,000, West 5,200. Central and Northeast 6,500 (ours: the
  plan gives no figure and no public source with the plan's definition was
  found; a figure between West and East, nearer West, as the plan's own
  co-construction line puts Central (520) nearer West (480) than East (860)).
  Any figure from 5,200 to 12,000 leaves the groups' max/min ratio at
  12,000 / 5,200 = 2.31x (East over West); it changes how much Central and
  Northeast need to reach a cap's floor. No provincial split is given, so
  every province of a group carries its group's figure (in particular all 12
  western provinces carry 5,200: their ratio among themselves is 1.00).
- base_workers, licensed social workers (FTE): the plan's national total,
  "全國持證社工僅70萬人,平均每萬人擁有5名", split by its licence rates,
  "專業社工持證率東部38%,中西部15%": each province's count is proportional
  to its 2024 population x its group's rate (East 0.38; Central and West 0.15),
  scaled so the 31 provinces sum to exactly 700,000 (largest remainders).
  Northeast 0.15 (ours: the plan gives East and 中西部 only; the Northeast is
  set equal to Central here as for the co-construction line, and the plan's
  split is East against the rest). Assumes community workers per head are equal
  across groups (ours: the plan gives rates, not counts of workers by region).
  Result: East 7.79, every other group 3.08 licensed workers per 10k people.
  west_regions.csv holds the same figures for the 12 western provinces (their
  share of the 700k, 117,488), not a uniform 5 per 10k.
- base_space, community service space: 0.30 m2 per person now (ours), against
  the plan's "新建小區按人均0.5平方米標準配建社區服務用房".
- special_group_share, special groups' share of residents: 0.28 (ours: the
  plan's "2022年我國60歲及以上人口達2.97億,占比21.1%", plus about 6%
  disabled (the plan's "全國8500萬殘疾人"), a few % low-income and migrant
  children, overlaps removed).
- priority: 1.2 for Central, West and Northeast, 1.0 for East (ours: the plan
  tilts money "重點向中西部和農村地區傾斜"; 1.2 is our weight).
- subpopulation_share.aged60.2022 and .2035, each province's share of residents
  aged 60+ (national.yaml's subpopulations.aged60 reads them; the schedule is
  linear between the two years). Base: the province's share aged 60+ in the
  Seventh National Population Census, 1 Nov 2020 (第七次全国人口普查公报(第五号),
  表5-2 各地区人口年龄构成, 60岁及以上, %; CENSUS_AGED60 below; 全国 18.70).
  - 2022: the census share plus 2.38 percentage points (ours: so that the 31
    provinces at NBS's 2022 populations come to the plan's "國家統計局數據顯示,
    2022年我國60歲及以上人口達2.97億,占比21.1%"; the census shares alone give
    18.72%. Equal points everywhere, not equal ratios: the plan gives no
    provincial path).
  - 2035: the 2022 share plus a further 7.90 points (ours: 0.61 a year, so
    that the nation is at 28.98% in 2035, 4.076亿 of the 14.06亿 held from
    2024, past the plan's "預計2035年將突破4億", which is 28.4% of that
    population).
  Written as fractions to 4 decimals (e.g. 北京 19.63 + 2.38 = 22.01% -> 0.2201,
  + 7.90 -> 0.2991), computed in decimal so no float rounding enters.
- communities and villages, each province's urban communities (社区, counted as
  居委会) and administrative villages (行政村, counted as 村委会): the national
  totals of the Ministry of Civil Affairs' 2020年民政事业发展统计公报 (村委会50.2万个,
  居委会11.3万个: 502,000 and 113,000; read in a summary of the Ministry's figures,
  not in the bulletin's own text), split across provinces (ours: no provincial
  counts are used) in proportion to the province's urban and rural residents: its 2024 population (province_population.csv) x its
  share living in towns at the Seventh National Population Census, 1 Nov 2020
  (each province's 第七次全国人口普查公报, 城乡人口, 居住在城镇的人口 占 %;
  URBAN_SHARE_2020 below, to one decimal; 河北 60.07, 广东 74.15 and 四川 56.73 were
  checked against those bulletins, the others are as we know them; at 2024
  populations they give 63.85% nationally against the census's 63.89%), and the
  rest rural. Whole numbers summing exactly to the totals (largest remainders, as
  base_workers). Held at 2020's counts in every year (ours: villages are still
  being merged and communities added; the plan's targets are shares, so only the
  split of the facilities to build moves with this).
- facilities.elderly_care.communities and .villages, the places with an
  elderly-care facility today: the 2022年度国家老龄事业发展公报's "社区养老服务机构
  和设施34.7万个 ... 其中,城市社区养老服务机构和设施11.5万个,农村社区养老服务机构
  和设施23.2万个" (as 北京商报 reported it, 2023-12-14) counts facilities, not
  places with one (11.5万 facilities for 11.3万 communities). Ours: facilities
  lie in places at random, independently, so the share of places with at least
  one is 1 - exp(-facilities / places):
  communities 1 - exp(-115,000 / 113,000) = 63.9%, villages 1 - exp(-232,000 /
  502,000) = 37.0%, the same share in every province (no provincial figures);
  each province's count is its places x the share, rounded. The upper bound:
  placed deliberately, one a place, they would cover min(1, facilities / places):
  every community and 46.2% of villages (random placement is the lower reading:
  it lets facilities crowd into some places). No published share of communities
  and villages with an elderly-care facility was found.
"""
from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent

# NBS grouping; id = the English name used in the NBS file, name = Chinese name
PROVINCES = [
    ("Beijing", "北京", "east"), ("Tianjin", "天津", "east"), ("Hebei", "河北", "east"),
    ("Shanxi", "山西", "central"), ("Innermongolia", "内蒙古", "west"), ("Liaoning", "辽宁", "northeast"),
    ("Jilin", "吉林", "northeast"), ("Heilongjiang", "黑龙江", "northeast"), ("Shanghai", "上海", "east"),
    ("Jiangsu", "江苏", "east"), ("Zhejiang", "浙江", "east"), ("Anhui", "安徽", "central"),
    ("Fujian", "福建", "east"), ("Jiangxi", "江西", "central"), ("Shandong", "山东", "east"),
    ("Henan", "河南", "central"), ("Hubei", "湖北", "central"), ("Hunan", "湖南", "central"),
    ("Guangdong", "广东", "east"), ("Guangxi", "广西", "west"), ("Hainan", "海南", "east"),
    ("Chongqing", "重庆", "west"), ("Sichuan", "四川", "west"), ("Guizhou", "贵州", "west"),
    ("Yunnan", "云南", "west"), ("Tibet", "西藏", "west"), ("Shaanxi", "陕西", "west"),
    ("Gansu", "甘肃", "west"), ("Qinghai", "青海", "west"), ("Ningxia", "宁夏", "west"),
    ("Xinjiang", "新疆", "west"),
]
BASE_PC = {"east": 860, "central": 520, "west": 480, "northeast": 520}  # co-construction line; NE ours
PUBLIC_SERVICE_PC = {"east": 12000, "central": 6500, "west": 5200, "northeast": 6500}  # 2022; C, NE ours
LICENCE_RATE = {"east": 0.38, "central": 0.15, "west": 0.15, "northeast": 0.15}  # NE ours
LICENSED_TOTAL = 700_000
PRIORITY = {"east": 1.0, "central": 1.2, "west": 1.2, "northeast": 1.2}
SPACE_PER_PERSON = 0.30
SPECIAL_SHARE = 0.28
# share aged 60+, %, Seventh National Population Census, 1 Nov 2020 (第七次全国人口普查公报(第五号), 表5-2)
CENSUS_AGED60 = {
    "北京": "19.63", "天津": "21.66", "河北": "19.85", "山西": "18.92", "内蒙古": "19.78", "辽宁": "25.72",
    "吉林": "23.06", "黑龙江": "23.22", "上海": "23.38", "江苏": "21.84", "浙江": "18.70", "安徽": "18.79",
    "福建": "15.98", "江西": "16.87", "山东": "20.90", "河南": "18.08", "湖北": "20.42", "湖南": "19.88",
    "广东": "12.35", "广西": "16.69", "海南": "14.65", "重庆": "21.87", "四川": "21.71", "贵州": "15.38",
    "云南": "14.91", "西藏": "8.52", "陕西": "19.20", "甘肃": "17.03", "青海": "12.14", "宁夏": "13.52",
    "新疆": "11.28",
}
AGED60_SHIFT_2022 = Decimal("2.38")  # pp, 2020 census -> 2022; ours: the 31 provinces reach the plan's 21.1% in 2022
AGED60_SHIFT_2035 = Decimal("7.90")  # pp, 2022 -> 2035; ours: 28.98% nationally in 2035, past the plan's 4亿
# share living in towns, %, Seventh National Population Census, 1 Nov 2020 (each province's 第七次全国人口普查公报, 城乡人口)
URBAN_SHARE_2020 = {
    "北京": "87.5", "天津": "84.7", "河北": "60.1", "山西": "62.5", "内蒙古": "67.5", "辽宁": "72.1",
    "吉林": "62.6", "黑龙江": "65.6", "上海": "89.3", "江苏": "73.4", "浙江": "72.2", "安徽": "58.3",
    "福建": "68.8", "江西": "60.4", "山东": "63.1", "河南": "55.4", "湖北": "62.9", "湖南": "58.8",
    "广东": "74.2", "广西": "54.2", "海南": "60.3", "重庆": "69.5", "四川": "56.7", "贵州": "53.2",
    "云南": "50.1", "西藏": "35.7", "陕西": "62.7", "甘肃": "52.2", "青海": "60.1", "宁夏": "65.0",
    "新疆": "56.5",
}
# 2020年民政事业发展统计公报: 居委会11.3万个 (urban communities), 村委会50.2万个 (administrative villages)
PLACES_TOTAL = {"communities": 113_000, "villages": 502_000}
# 2022年度国家老龄事业发展公报: 城市社区养老服务机构和设施11.5万个, 农村社区养老服务机构和设施23.2万个
ELDERLY_CARE_FACILITIES = {"communities": 115_000, "villages": 232_000}


def population_2024() -> dict[str, float]:
    lines = [ln for ln in (HERE / "province_population.csv").read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return {row["region"]: float(row["2024"]) for row in csv.DictReader(lines)}


def split(total: int, weight: dict[str, float]) -> dict[str, int]:
    """total split in proportion to weight, whole numbers summing to exactly total (each rounded down, the
    remainder to the largest fractions)."""
    exact = {pid: total * w / sum(weight.values()) for pid, w in weight.items()}
    out = {pid: math.floor(x) for pid, x in exact.items()}
    left = total - sum(out.values())
    for pid in sorted(exact, key=lambda p: exact[p] - out[p], reverse=True)[:left]:
        out[pid] += 1
    return out


def licensed_workers(pop: dict[str, float]) -> dict[str, int]:
    """The 700k licensed workers split by population x the group's licence rate, summing to exactly 700,000."""
    return split(LICENSED_TOTAL, {pid: pop[pid] * LICENCE_RATE[group] for pid, _, group in PROVINCES})


def places(pop: dict[str, float]) -> dict[str, dict[str, int]]:
    """The nation's communities and villages split by the province's urban and rural residents (2024
    population x the 2020 census share living in towns, and the rest)."""
    urban = {pid: pop[pid] * float(URBAN_SHARE_2020[name]) / 100 for pid, name, _ in PROVINCES}
    rural = {pid: pop[pid] - urban[pid] for pid, _, _ in PROVINCES}
    return {"communities": split(PLACES_TOTAL["communities"], urban), "villages": split(PLACES_TOTAL["villages"], rural)}


def covered_share(place: str) -> float:
    """Share of places with an elderly-care facility today, facilities placed at random (ours)."""
    return 1.0 - math.exp(-ELDERLY_CARE_FACILITIES[place] / PLACES_TOTAL[place])


def aged60_shares(name: str) -> tuple[str, str]:
    """The province's share aged 60+ in 2022 and 2035, as fractions written to 4 decimals."""
    y2022 = Decimal(CENSUS_AGED60[name]) + AGED60_SHIFT_2022
    y2035 = y2022 + AGED60_SHIFT_2035
    return f"{y2022 / 100:.4f}", f"{y2035 / 100:.4f}"


def rows(groups: set[str]) -> list[dict]:
    pop = population_2024()
    workers = licensed_workers(pop)
    where = places(pop)
    out = []
    for pid, name, group in PROVINCES:
        if group not in groups:
            continue
        aged60_2022, aged60_2035 = aged60_shares(name)
        out.append({
            "id": pid, "name": name, "group": group, "base_spending_pc": BASE_PC[group],
            "spending.public_service": PUBLIC_SERVICE_PC[group],  # yuan/person, 2022
            "special_group_share": SPECIAL_SHARE,
            "base_workers": workers[pid],  # FTE
            "base_space": round(SPACE_PER_PERSON * pop[pid], 1),  # 10k m2: m2/person x (10k people)
            "priority": PRIORITY[group],
            "subpopulation_share.aged60.2022": aged60_2022,  # census + AGED60_SHIFT_2022
            "subpopulation_share.aged60.2035": aged60_2035,  # 2022 + AGED60_SHIFT_2035
            "communities": where["communities"][pid],  # 居委会, the nation's 113,000 by urban residents
            "villages": where["villages"][pid],  # 村委会, the nation's 502,000 by rural residents
            # places with an elderly-care facility today: places x (1 - exp(-facilities / places)), ours
            "facilities.elderly_care.communities": math.floor(where["communities"][pid] * covered_share("communities") + 0.5),
            "facilities.elderly_care.villages": math.floor(where["villages"][pid] * covered_share("villages") + 0.5),
        })
    return out


def write(path: Path, data: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# generated by make_regions.py from NBS populations and the plan's seed figures; see its docstring\n")
        fh.write("# spending.public_service: yuan/person, 2022 (declare base_year: 2022 under spending_lines)\n")
        fh.write("# subpopulation_share.aged60.<year>: share of residents aged 60+ (2022 = the 2020 census share"
                 " (第七次全国人口普查公报(第五号) 表5-2) + 2.38 pp, 2035 = 2022 + 7.90 pp (ours); see the docstring"
                 " and national.yaml)\n")
        fh.write("# communities, villages: 居委会 and 村委会 (2020年民政事业发展统计公报: 11.3万, 50.2万) split by urban and"
                 " rural residents (ours); facilities.elderly_care.*: those with an elderly-care facility today (ours,"
                 " from 2022年度国家老龄事业发展公报's facility counts); see the docstring\n")
        w = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(data)


if __name__ == "__main__":
    write(HERE / "provinces.csv", rows({"east", "central", "west", "northeast"}))
    write(HERE / "west_regions.csv", rows({"west"}))
    print("wrote provinces.csv and west_regions.csv")
