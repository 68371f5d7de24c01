"""The taobao and jd presets, from their sources' sentences; every number quotes a source."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from posloyalty.domain.money import Fen
from posloyalty.domain.tiers import Purchase, growth_for, tier_status
from posloyalty.resources import load_preset, preset_names, preset_text

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 1, 5, 12, tzinfo=TZ)


def buy(days: int, yuan: float) -> Purchase:
    fen = round(yuan * 100)
    return Purchase(T0 + timedelta(days=days), Fen(fen), growth_for(fen, Fraction(1)))


def test_taobao_quarter_scheme() -> None:
    """002: 「比如1個季度內消費滿800元,就可成為VIP會員;消費滿1500元,就可成為SVIP會員;如果這個月
    消費金額不滿足SVIP要求,就降為VIP會員」."""
    tiers = load_preset("taobao").tiers
    history = [buy(0, 500), buy(30, 300)]
    assert tier_status(tiers, history, T0 + timedelta(days=30)).tier == "vip"
    history.append(buy(60, 700))
    s = tier_status(tiers, history, T0 + timedelta(days=60))
    assert s.tier == "svip"
    assert s.valid_until is not None
    # The first 500 leaves the quarter: 1,000 left -> VIP; then 700 -> regular.
    assert tier_status(tiers, history, s.valid_until).tier == "vip"
    assert tier_status(tiers, history, T0 + timedelta(days=152)).tier == "regular"


def test_jd_amount_and_or_count() -> None:
    """004: 「目前升级条件可按照用户交易额和交易次数来进行设置」."""
    tiers = load_preset("jd").tiers
    three_small = [buy(0, 10), buy(5, 10), buy(9, 10)]
    assert tier_status(tiers, three_small, T0 + timedelta(days=10)).tier == "v2"  # count
    assert tier_status(tiers, [buy(0, 500)], T0 + timedelta(days=1)).tier == "v2"  # amount
    big_once = [buy(0, 5000)]
    assert tier_status(tiers, big_once, T0 + timedelta(days=1)).tier == "v2"  # v3 needs both
    six = [buy(i, 400) for i in range(6)]
    assert tier_status(tiers, six, T0 + timedelta(days=6)).tier == "v3"


@pytest.mark.parametrize("name", ["taobao", "jd"])
def test_every_number_says_where_it_comes_from(name: str) -> None:
    """Each number of the new presets carries a quote or "not in the source" on its line or in
    the comment lines right above it (or above its table)."""
    assert name in preset_names()
    lines = preset_text(name).splitlines()
    number = re.compile(r'^\s*[a-z_]+\s*=\s*"?[0-9][0-9.]*"?\s*(#.*)?$')
    for i, line in enumerate(lines):
        if not number.match(line) or line.split("=")[0].strip() in ("schema", "revision"):
            continue
        above = lines[max(0, i - 6) : i]
        assert "#" in line or any(a.lstrip().startswith("#") for a in above), (
            f"{name}.toml line {i + 1}: {line!r}"
        )


def test_departures_from_the_source_are_said_next_to_the_number() -> None:
    vancl = preset_text("vancl")
    assert "Departs from the source" in vancl.split("max_percent = 100")[0].rsplit("[", 1)[1]
    miniso = preset_text("miniso")
    value = miniso.split("[points.value]")[1].split("[")[0]
    assert "Departs from the source" in value
    assert "points = 100        # not in the source" in value
