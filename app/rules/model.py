"""Rule sets: HQ-authored, versioned, immutable, validated with pydantic v2.

Every field is documented in ``app/rules/README.md``. A malformed rule set is refused with
:class:`~app.rules.errors.RuleSetError` naming the field (``"campaigns[0].multiplier: must be at
least 1"``). Unknown fields are refused too, so a typo never silently becomes a default.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone as dt_timezone, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import RuleSetError

__all__ = [
    "BaseRate",
    "Tier",
    "Campaign",
    "CouponTrigger",
    "CouponTemplate",
    "RedemptionRules",
    "ExpiryPolicy",
    "StampConversion",
    "OfflinePolicy",
    "SegmentThresholds",
    "RuleSet",
    "parse_rule_set",
    "load_default_rule_set",
    "rule_set_for",
    "zone_for",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_JST = dt_timezone(timedelta(hours=9), "JST")


# ---------------------------------------------------------------------------------------------
# Time zones
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def zone_for(name: str) -> tzinfo:
    """The tzinfo for an IANA name; a fixed +09:00 for Asia/Tokyo when tzdata is missing."""
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - Python >= 3.9 always has zoneinfo
        ZoneInfo = None  # type: ignore[assignment]
        ZoneInfoNotFoundError = KeyError  # type: ignore[assignment,misc]
    if ZoneInfo is not None:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    if name in ("Asia/Tokyo", "Japan"):
        return _JST  # Japan has had no daylight saving since 1951: a fixed offset is exact.
    raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# Field types
# ---------------------------------------------------------------------------------------------
def _rule_error(field: str, message: str) -> PydanticCustomError:
    """An error reported at ``<model path>.<field>`` (field may be "" for the model itself)."""
    return PydanticCustomError("rule", "{message}", {"field": field, "message": message})


def _to_decimal(value: Any) -> Any:
    """Multipliers are exact decimals: 1.5 means 3/2, never the binary float 1.5000000000000000...

    JSON text is parsed with Decimal for floats already; a Python float from a dict is read via
    its shortest repr, so 1.2 is Decimal("1.2").
    """
    if isinstance(value, bool):
        raise PydanticCustomError("number", "must be a number")
    if isinstance(value, float):
        value = Decimal(repr(value))
    elif isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise PydanticCustomError("number", "must be a number") from None
    if isinstance(value, Decimal) and not value.is_finite():
        raise PydanticCustomError("number", "must be a finite number")
    return value


Int = Annotated[int, Field(strict=True)]
NonNegInt = Annotated[int, Field(strict=True, ge=0)]
PosInt = Annotated[int, Field(strict=True, ge=1)]
Multiplier = Annotated[Decimal, BeforeValidator(_to_decimal), Field(ge=1, le=100)]
Id = Annotated[str, Field(strict=True, min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_\-]*$")]
Name = Annotated[str, Field(strict=True, min_length=1, max_length=200)]
Tag = Annotated[str, Field(strict=True, min_length=1, max_length=64)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _one_or_many(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------
# Parts of a rule set
# ---------------------------------------------------------------------------------------------
class BaseRate(_Model):
    """``points_per_unit`` points per full ``yen_per_unit`` yen, rounding down (¥1,234 → 12 pt)."""

    yen_per_unit: PosInt = 100
    points_per_unit: PosInt = 1


class Tier(_Model):
    """A member rank (会員ランク), reached by annual spend; its multiplier applies to base points.
    ``name_en`` (what the English screens show) may be left out: it is then the Japanese name, and
    the rule set HQ sends the stores carries it filled in."""

    id: Id
    name_ja: Name
    name_en: Name
    min_annual_spend_yen: NonNegInt
    multiplier: Multiplier = Decimal(1)

    @model_validator(mode="before")
    @classmethod
    def _english_name_defaults_to_japanese(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("name_en") is None and "name_ja" in data:
            data = {**data, "name_en": data["name_ja"]}
        return data


class Campaign(_Model):
    """A time-boxed campaign (キャンペーン): a multiplier (ポイント倍率) or a fixed bonus.

    Every filter that is empty/None means "no restriction". Dates are store-local and inclusive.
    """

    id: Id
    name_ja: Name
    name_en: Name
    start: date
    end: Optional[date] = None
    weekdays: tuple[Weekday, ...] = ()
    stores: tuple[Tag, ...] = ()
    tiers: tuple[Id, ...] = ()
    segments: tuple[Tag, ...] = ()
    weather: Annotated[tuple[Tag, ...], BeforeValidator(_one_or_many)] = ()
    categories: tuple[Tag, ...] = ()
    birthday: Optional[Literal["day", "month"]] = None
    min_purchase_yen: NonNegInt = 0
    multiplier: Optional[Multiplier] = None
    bonus_points: Optional[PosInt] = None

    @model_validator(mode="after")
    def _check(self) -> "Campaign":
        if (self.multiplier is None) == (self.bonus_points is None):
            raise _rule_error("multiplier", "set exactly one of multiplier or bonus_points")
        if self.end is not None and self.end < self.start:
            raise _rule_error("end", f"must not be before start ({self.start.isoformat()})")
        return self


class CouponTrigger(_Model):
    """What makes HQ (or the store) issue a coupon. Descriptive: issuing is not the engine's job,
    but :func:`app.rules.triggered_coupons` evaluates it for one member."""

    type: Literal["win_back", "birthday", "welcome", "manual"]
    days_without_visit: Optional[PosInt] = None
    min_lifetime_spend_yen: Optional[NonNegInt] = None

    @model_validator(mode="after")
    def _check(self) -> "CouponTrigger":
        if self.type == "win_back":
            if self.days_without_visit is None:
                raise _rule_error("days_without_visit", "is required for a win_back trigger")
        else:
            for name in ("days_without_visit", "min_lifetime_spend_yen"):
                if getattr(self, name) is not None:
                    raise _rule_error(name, f"only applies to a win_back trigger, not {self.type}")
        return self


class CouponTemplate(_Model):
    """A coupon kind: ``bonus_points`` (adds ``points``) or ``yen_off`` (takes ``yen`` off the bill)."""

    id: Id
    name_ja: Name
    name_en: Name
    kind: Literal["bonus_points", "yen_off"]
    points: Optional[PosInt] = None
    yen: Optional[PosInt] = None
    valid_hours: PosInt
    trigger: Optional[CouponTrigger] = None

    @model_validator(mode="after")
    def _check(self) -> "CouponTemplate":
        if self.kind == "bonus_points":
            if self.points is None:
                raise _rule_error("points", "is required for a bonus_points coupon")
            if self.yen is not None:
                raise _rule_error("yen", "only applies to a yen_off coupon")
        else:
            if self.yen is None:
                raise _rule_error("yen", "is required for a yen_off coupon")
            if self.points is not None:
                raise _rule_error("points", "only applies to a bonus_points coupon")
        return self


class RedemptionRules(_Model):
    """ポイント利用: value, minimum, unit and the cap as a share of the bill."""

    yen_per_point: PosInt = 1
    minimum_points: PosInt = 1
    unit_points: PosInt = 1
    max_bill_percent: Annotated[int, Field(strict=True, ge=1, le=100)] = 100


class ExpiryPolicy(_Model):
    """Earned points expire ``months`` after earning, at the end of that store-local day."""

    months: Annotated[int, Field(strict=True, ge=1, le=120)] = 12


class StampConversion(_Model):
    """Paper stamp cards (スタンプ) migrate at ``points_per_stamp``, capped per card."""

    points_per_stamp: NonNegInt = 10
    max_points_per_card: NonNegInt = 2000


class OfflinePolicy(_Model):
    """While offline a member may redeem at most this many points per business day per store."""

    daily_allowance_points: NonNegInt = 3000


class SegmentThresholds(_Model):
    """離反リスク / 休眠掘り起こし / 優良顧客 thresholds."""

    churn_risk_days: PosInt = 60
    win_back_days: PosInt = 30
    win_back_min_lifetime_spend_yen: NonNegInt = 5000
    vip_top_percent: Annotated[int, Field(strict=True, ge=1, le=100)] = 10


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(id="bronze", name_ja="ブロンズ", name_en="Bronze", min_annual_spend_yen=0, multiplier=Decimal(1)),
    Tier(id="silver", name_ja="シルバー", name_en="Silver", min_annual_spend_yen=50_000,
         multiplier=Decimal("1.2")),
    Tier(id="gold", name_ja="ゴールド", name_en="Gold", min_annual_spend_yen=100_000,
         multiplier=Decimal("1.5")),
)


class RuleSet(_Model):
    """One immutable version of the pricing rules, valid from ``valid_from`` until ``valid_to``."""

    version: Annotated[str, Field(strict=True, min_length=1, max_length=64)]
    valid_from: AwareDatetime
    valid_to: Optional[AwareDatetime] = None
    timezone: Annotated[str, Field(strict=True, min_length=1)] = "Asia/Tokyo"
    description: str = ""
    base: BaseRate = BaseRate()
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    campaigns: tuple[Campaign, ...] = ()
    stacking: Literal["multiply", "add", "best"] = "multiply"
    coupons: tuple[CouponTemplate, ...] = ()
    redemption: RedemptionRules = RedemptionRules()
    expiry: ExpiryPolicy = ExpiryPolicy()
    stamps: StampConversion = StampConversion()
    offline: OfflinePolicy = OfflinePolicy()
    segments: SegmentThresholds = SegmentThresholds()

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not value.strip() or value != value.strip():
            raise PydanticCustomError("rule", "{message}",
                                      {"field": "", "message": "must be non-blank with no surrounding spaces"})
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zone_for(value)
        except KeyError:
            raise PydanticCustomError(
                "rule", "{message}",
                {"field": "", "message": f"unknown time zone {value!r} (use an IANA name such as 'Asia/Tokyo')"},
            ) from None
        return value

    @model_validator(mode="after")
    def _check(self) -> "RuleSet":
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise _rule_error("valid_to", f"must be after valid_from ({self.valid_from.isoformat()})")
        _unique_ids("tiers", self.tiers)
        _unique_ids("campaigns", self.campaigns)
        _unique_ids("coupons", self.coupons)
        for i in range(1, len(self.tiers)):
            prev, tier = self.tiers[i - 1], self.tiers[i]
            if tier.min_annual_spend_yen <= prev.min_annual_spend_yen:
                raise _rule_error(
                    f"tiers[{i}].min_annual_spend_yen",
                    f"tiers must be in ascending order of spend: {tier.min_annual_spend_yen} is not above "
                    f"tiers[{i - 1}] ({prev.id}, {prev.min_annual_spend_yen})",
                )
        tier_ids = {t.id for t in self.tiers}
        for i, campaign in enumerate(self.campaigns):
            for j, tier_id in enumerate(campaign.tiers):
                if tier_id not in tier_ids:
                    raise _rule_error(f"campaigns[{i}].tiers[{j}]", f"unknown tier {tier_id!r}")
        return self

    # -- look-ups ------------------------------------------------------------------------------
    @property
    def zone(self) -> tzinfo:
        """The store-local time zone of this rule set."""
        return zone_for(self.timezone)

    def tier(self, tier_id: str) -> Tier | None:
        return next((t for t in self.tiers if t.id == tier_id), None)

    def campaign(self, campaign_id: str) -> Campaign | None:
        return next((c for c in self.campaigns if c.id == campaign_id), None)

    def coupon(self, coupon_id: str) -> CouponTemplate | None:
        return next((c for c in self.coupons if c.id == coupon_id), None)

    def is_valid_at(self, at: datetime) -> bool:
        _require_aware(at, "at")
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


def _unique_ids(section: str, items: tuple[Any, ...]) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            raise _rule_error(f"{section}[{i}].id",
                              f"duplicate id {item.id!r} (already used by {section}[{seen[item.id]}])")
        seen[item.id] = i


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")


# ---------------------------------------------------------------------------------------------
# Parsing and choosing
# ---------------------------------------------------------------------------------------------
_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must be a lower-case id (a-z, 0-9, '_' or '-', starting with a letter)",
    "timezone_aware": "must include a time zone offset, e.g. 2026-01-01T00:00:00+09:00",
    "datetime_type": "must be a date-time such as 2026-01-01T00:00:00+09:00",
    "datetime_parsing": "must be a date-time such as 2026-01-01T00:00:00+09:00",
    "datetime_from_date_parsing": "must be a date-time such as 2026-01-01T00:00:00+09:00",
    "date_type": "must be a date such as 2026-01-01",
    "date_parsing": "must be a date such as 2026-01-01",
    "date_from_datetime_parsing": "must be a date such as 2026-01-01",
    "date_from_datetime_inexact": "must be a date such as 2026-01-01, without a time",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "bool_type": "must be true or false",
}


def _path(loc: tuple[Any, ...], extra: str = "") -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    if extra:
        out += extra if extra.startswith("[") or not out else f".{extra}"
    return out


def _message(err: dict[str, Any]) -> tuple[str, str]:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "rule":
        return _path(err["loc"], ctx.get("field", "")), ctx["message"]
    field = _path(err["loc"])
    if kind == "greater_than_equal":
        return field, f"must be at least {ctx['ge']}"
    if kind == "greater_than":
        return field, f"must be more than {ctx['gt']}"
    if kind == "less_than_equal":
        return field, f"must be at most {ctx['le']}"
    if kind == "less_than":
        return field, f"must be less than {ctx['lt']}"
    if kind == "string_too_long":
        return field, f"must be at most {ctx['max_length']} characters"
    if kind == "literal_error":
        return field, f"must be one of {ctx['expected']}"
    if kind in _MESSAGES:
        return field, _MESSAGES[kind]
    msg = str(err.get("msg", "is invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return field, msg[:1].lower() + msg[1:]


def parse_rule_set(data: "dict[str, Any] | str | bytes | RuleSet") -> RuleSet:
    """Validate a rule set from a dict or JSON text; raise :class:`RuleSetError` naming the field."""
    if isinstance(data, RuleSet):
        return data
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RuleSetError("", f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if isinstance(data, str):
        try:
            data = json.loads(data, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise RuleSetError("", f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise RuleSetError("", f"must be a JSON object, not {type(data).__name__}")
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = tuple(_message(e) for e in exc.errors(include_url=False))
        field, message = problems[0]
        raise RuleSetError(field, message, errors=problems) from None


@lru_cache(maxsize=1)
def load_default_rule_set() -> RuleSet:
    """The rule set shipped in ``app/rules/default_rules.json`` (see README.md in this package)."""
    text = resources.files(__package__).joinpath("default_rules.json").read_text(encoding="utf-8")
    return parse_rule_set(text)


def rule_set_for(rule_sets: "list[RuleSet] | tuple[RuleSet, ...]", at: datetime) -> RuleSet:
    """The version valid at ``at``: the latest ``valid_from <= at`` with ``at < valid_to``.

    Ties on ``valid_from`` go to the one later in the list. Raises :class:`RuleSetError` if none.
    """
    _require_aware(at, "at")
    best: RuleSet | None = None
    for rule_set in rule_sets:
        if rule_set.is_valid_at(at) and (best is None or rule_set.valid_from >= best.valid_from):
            best = rule_set
    if best is None:
        known = ", ".join(f"{r.version} [{r.valid_from.isoformat()} – "
                          f"{r.valid_to.isoformat() if r.valid_to else 'open'})" for r in rule_sets)
        raise RuleSetError("valid_from", f"no rule set is valid at {at.isoformat()} (known: {known or 'none'})")
    return best
