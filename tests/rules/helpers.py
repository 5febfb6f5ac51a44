"""Shared builders for the rules tests."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

JST = timezone(timedelta(hours=9))
DEFAULT_JSON = Path(__file__).resolve().parents[2] / "app" / "rules" / "default_rules.json"

# 2026-11-21 is a Saturday, 2026-11-22 a Sunday (Japan time).
SATURDAY = datetime(2026, 11, 21, 10, 30, tzinfo=JST)
SUNDAY = datetime(2026, 11, 22, 10, 30, tzinfo=JST)


def default_data() -> dict:
    return json.loads(DEFAULT_JSON.read_text(encoding="utf-8"))


def campaign(**overrides) -> dict:
    data = {"id": "c", "name_ja": "キャンペーン", "name_en": "Campaign", "start": "2026-01-01", "multiplier": 2}
    data.update(overrides)
    if "bonus_points" in overrides and "multiplier" not in overrides:
        del data["multiplier"]
    return data


def rule_set_data(**overrides) -> dict:
    data = {"version": "t1", "valid_from": "2026-01-01T00:00:00+09:00", "campaigns": []}
    data.update(copy.deepcopy(overrides))
    return data
