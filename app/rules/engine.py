"""The pricing engine: pure functions of (rule set, member state, purchase, time, store).

No I/O, no clock reads, no floats in results: points and yen are ``int``; multipliers are exact
(:class:`fractions.Fraction` from the rule set's decimals) and only the final total is rounded down.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Iterable

from .errors import RuleViolation
from .model import WEEKDAYS, Campaign, CouponTemplate, RuleSet, Tier, _require_aware

__all__ = [
    "MemberState",
    "Purchase",
    "IssuedCoupon",
    "PricingLine",
    "Pricing",
    "price_purchase",
    "tier_for",
    "applicable_campaigns",
    "member_segments",
    "check_redemption",
    "max_redeemable_points",
    "check_offline_redemption",
    "stamps_to_points",
    "expiry_for",
    "coupon_expires_at",
    "check_coupon",
    "triggered_coupons",
    "vip_threshold",
]


# ---------------------------------------------------------------------------------------------
# Inputs and outputs
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberState:
    """What the engine may know about a member. ``tier`` is the stored rank id; when it is None or
    not in the rule set the rank comes from ``annual_spend_yen``. ``segments`` are the segment ids
    the store has computed (e.g. "vip"); "churn_risk" and "win_back" are also derived from
    ``last_visit`` and ``lifetime_spend_yen`` (see :func:`member_segments`)."""

    tier: str | None = None
    annual_spend_yen: int = 0
    lifetime_spend_yen: int = 0
    last_visit: datetime | None = None
    visits_12m: int = 0
    birthday: date | None = None
    segments: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Purchase:
    """お買上金額 in integer yen (tax-inclusive, after any yen-off coupon) and its categories."""

    amount_yen: int
    categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IssuedCoupon:
    """A coupon the member holds: its template and when it was issued (valid ``valid_hours``)."""

    template_id: str
    issued_at: datetime


@dataclass(frozen=True)
class PricingLine:
    """One step of the breakdown. ``points`` is this line's contribution; the lines sum to the
    total. ``kind`` is one of base, campaign, tier, bonus, coupon, rounding."""

    label: str
    kind: str
    points: int
    factor: str | None = None
    rule_id: str | None = None


@dataclass(frozen=True)
class Pricing:
    points: int
    lines: tuple[PricingLine, ...]
    rule_set_version: str
    tier: str | None
    campaigns: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _int(value: object, name: str, *, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum} (got {value})")
    return value


def _yen(amount: int) -> str:
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def _fmt_factor(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        d = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        d = value
    text = format(d.normalize(), "f")
    return text


def _fmt_exact(value: Fraction) -> str:
    """An exact point value for the rounding line: 49.5, or 102.66… for non-terminating values."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    d = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(d.quantize(Decimal("0.01")).normalize(), ",f")
    exact = Fraction(Decimal(text.replace(",", ""))) == value
    return text if exact else text + "…"


def _frac(value: Decimal) -> Fraction:
    return Fraction(value)


def _local(rule_set: RuleSet, at: datetime) -> datetime:
    return at.astimezone(rule_set.zone)


def tier_for(rule_set: RuleSet, annual_spend_yen: int) -> Tier | None:
    """The highest tier whose threshold is at or below the annual spend (negative spend counts as
    ¥0); None when the rule set has no tier that low."""
    spend = max(0, _int(annual_spend_yen, "annual_spend_yen", minimum=None))
    found: Tier | None = None
    for tier in rule_set.tiers:
        if tier.min_annual_spend_yen <= spend:
            found = tier
    return found


def _member_tier(rule_set: RuleSet, member: MemberState) -> Tier | None:
    if member.tier is not None:
        stored = rule_set.tier(member.tier)
        if stored is not None:
            return stored
    return tier_for(rule_set, member.annual_spend_yen)


def member_segments(rule_set: RuleSet, member: MemberState, at: datetime) -> frozenset[str]:
    """The member's segments at ``at``: ``member.segments`` plus the ones derived here —
    "churn_risk" (no visit for ``churn_risk_days``) and "win_back" (no visit for
    ``win_back_days`` and lifetime spend at least the threshold). "vip" needs the whole customer
    base (see :func:`vip_threshold`), so it only comes from ``member.segments``."""
    _require_aware(at, "at")
    out = set(member.segments)
    if member.last_visit is not None:
        _require_aware(member.last_visit, "member.last_visit")
        days = (_local(rule_set, at).date() - _local(rule_set, member.last_visit).date()).days
        thresholds = rule_set.segments
        if days >= thresholds.churn_risk_days:
            out.add("churn_risk")
        if days >= thresholds.win_back_days and member.lifetime_spend_yen >= thresholds.win_back_min_lifetime_spend_yen:
            out.add("win_back")
    return frozenset(out)


def _is_birthday(birthday: date, today: date, mode: str) -> bool:
    if mode == "month":
        return birthday.month == today.month
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(today.year):
        return today.month == 2 and today.day == 28
    return (birthday.month, birthday.day) == (today.month, today.day)


def _campaign_applies(campaign: Campaign, *, today: date, amount_yen: int, store_id: str,
                      tier: Tier | None, segments: frozenset[str], weather: frozenset[str],
                      member: MemberState, categories: frozenset[str]) -> bool:
    if today < campaign.start or (campaign.end is not None and today > campaign.end):
        return False
    if campaign.weekdays and WEEKDAYS[today.weekday()] not in campaign.weekdays:
        return False
    if campaign.stores and store_id not in campaign.stores:
        return False
    if campaign.tiers and (tier is None or tier.id not in campaign.tiers):
        return False
    if campaign.segments and not segments.intersection(campaign.segments):
        return False
    if campaign.weather and not weather.intersection(campaign.weather):
        return False
    if campaign.categories and not categories.intersection(campaign.categories):
        return False
    if campaign.birthday is not None and (member.birthday is None
                                          or not _is_birthday(member.birthday, today, campaign.birthday)):
        return False
    return amount_yen >= campaign.min_purchase_yen


def applicable_campaigns(rule_set: RuleSet, member: MemberState, purchase: Purchase, at: datetime,
                         store_id: str, *, weather: frozenset[str] = frozenset()) -> tuple[Campaign, ...]:
    """Every campaign whose filters match, in rule-set order (before the stacking mode chooses)."""
    _require_aware(at, "at")
    amount = _int(purchase.amount_yen, "purchase.amount_yen")
    today = _local(rule_set, at).date()
    tier = _member_tier(rule_set, member)
    segments = member_segments(rule_set, member, at)
    return tuple(
        c for c in rule_set.campaigns
        if _campaign_applies(c, today=today, amount_yen=amount, store_id=store_id, tier=tier,
                             segments=segments, weather=frozenset(weather), member=member,
                             categories=frozenset(purchase.categories))
    )


def purchase_categories(rule_set: RuleSet, at: datetime, store_id: str | None = None) -> tuple[str, ...]:
    """The product categories the counter can offer for a purchase at ``at``: every category named
    by a campaign of this rule set running that store-local day (dates and weekdays) at this store.
    Empty when no campaign asks for categories (the counter then shows no choice)."""
    _require_aware(at, "at")
    today = _local(rule_set, at).date()
    seen: dict[str, None] = {}
    for c in rule_set.campaigns:
        if not c.categories or today < c.start or (c.end is not None and today > c.end):
            continue
        if c.weekdays and WEEKDAYS[today.weekday()] not in c.weekdays:
            continue
        if c.stores and store_id is not None and store_id not in c.stores:
            continue
        for cat in c.categories:
            seen.setdefault(cat, None)
    return tuple(seen)


# ---------------------------------------------------------------------------------------------
# Coupons
# ---------------------------------------------------------------------------------------------
def coupon_expires_at(rule_set: RuleSet, template_id: str, issued_at: datetime) -> datetime:
    """When a coupon issued at ``issued_at`` stops being valid (exclusive): issued + valid_hours."""
    _require_aware(issued_at, "issued_at")
    template = rule_set.coupon(template_id)
    if template is None:
        raise RuleViolation("unknown_coupon", f"Coupon {template_id!r} is not in rule set {rule_set.version}.",
                            coupon_id=template_id, rule_set_version=rule_set.version)
    return issued_at + timedelta(hours=template.valid_hours)


def check_coupon(rule_set: RuleSet, coupon: IssuedCoupon, at: datetime) -> CouponTemplate:
    """The template of a coupon usable at ``at``; RuleViolation unknown_coupon, coupon_not_yet_valid
    or coupon_expired otherwise."""
    _require_aware(at, "at")
    expires_at = coupon_expires_at(rule_set, coupon.template_id, coupon.issued_at)
    if at < coupon.issued_at:
        raise RuleViolation("coupon_not_yet_valid",
                            f"Coupon {coupon.template_id!r} is not valid before {coupon.issued_at.isoformat()}.",
                            coupon_id=coupon.template_id, valid_from=coupon.issued_at)
    if at >= expires_at:
        raise RuleViolation("coupon_expired",
                            f"Coupon {coupon.template_id!r} expired at {expires_at.isoformat()}.",
                            coupon_id=coupon.template_id, expired_at=expires_at)
    template = rule_set.coupon(coupon.template_id)
    assert template is not None
    return template


def triggered_coupons(rule_set: RuleSet, member: MemberState, at: datetime) -> tuple[CouponTemplate, ...]:
    """Coupon templates whose trigger matches this member at ``at`` (manual ones never do).

    win_back: no visit for ``days_without_visit`` days and lifetime spend ≥ the minimum;
    birthday: today (store-local) is the birthday; welcome: the member has never visited.
    Whether one was already issued is the coupon service's business, not the engine's."""
    _require_aware(at, "at")
    today = _local(rule_set, at).date()
    out = []
    for template in rule_set.coupons:
        trigger = template.trigger
        if trigger is None or trigger.type == "manual":
            continue
        if trigger.type == "win_back":
            if member.last_visit is None:
                continue
            _require_aware(member.last_visit, "member.last_visit")
            days = (today - _local(rule_set, member.last_visit).date()).days
            if days >= (trigger.days_without_visit or 0) and \
                    member.lifetime_spend_yen >= (trigger.min_lifetime_spend_yen or 0):
                out.append(template)
        elif trigger.type == "birthday":
            if member.birthday is not None and _is_birthday(member.birthday, today, "day"):
                out.append(template)
        elif trigger.type == "welcome":
            if member.last_visit is None and member.visits_12m == 0:
                out.append(template)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Pricing
# ---------------------------------------------------------------------------------------------
def price_purchase(rule_set: RuleSet, member: MemberState, purchase: Purchase, at: datetime, store_id: str,
                   *, weather: frozenset[str] = frozenset(),
                   coupons: Iterable[IssuedCoupon] = ()) -> Pricing:
    """Points for a purchase, with the line-by-line breakdown.

    base = floor(amount / yen_per_unit) × points_per_unit; then the campaign multipliers (combined
    per ``rule_set.stacking``) and the tier multiplier, exactly, rounded down once; then fixed
    campaign bonuses; then bonus-point coupons. The lines' points sum to ``points``.
    Raises RuleViolation (coupon_expired, ...) for an unusable coupon, ValueError/TypeError for
    bad inputs (naive time, negative or non-int amount).
    """
    _require_aware(at, "at")
    amount = _int(purchase.amount_yen, "purchase.amount_yen")
    checked = tuple(check_coupon(rule_set, c, at) for c in coupons)

    lines: list[PricingLine] = []
    base = (amount // rule_set.base.yen_per_unit) * rule_set.base.points_per_unit
    lines.append(PricingLine(label=f"Base: {_yen(amount)} → {base:,} pt", kind="base", points=base,
                             factor=None, rule_id=None))

    tier = _member_tier(rule_set, member)
    matched = applicable_campaigns(rule_set, member, purchase, at, store_id, weather=weather)
    multipliers = [c for c in matched if c.multiplier is not None]
    bonuses = [c for c in matched if c.bonus_points is not None]
    if rule_set.stacking == "best" and multipliers:
        # The single highest multiplier; on a tie the one listed first in the rule set.
        top = max(c.multiplier for c in multipliers)  # type: ignore[type-var]
        multipliers = [next(c for c in multipliers if c.multiplier == top)]

    exact = Fraction(base)
    shown = base  # floor(exact) so far: each line adds the change in the rounded-down running total

    def step(new_exact: Fraction, **line: object) -> None:
        nonlocal exact, shown
        exact = new_exact
        now = floor(exact)
        lines.append(PricingLine(points=now - shown, **line))  # type: ignore[arg-type]
        shown = now

    campaign_factor = Fraction(1)
    for c in multipliers:
        m = _frac(c.multiplier)  # type: ignore[arg-type]
        if rule_set.stacking == "add":
            campaign_factor += m - 1
            how = f" (adds +{_fmt_factor(m - 1)})" if len(multipliers) > 1 else ""
        else:
            campaign_factor *= m
            how = ""
        step(Fraction(base) * campaign_factor, label=f"Campaign: {c.name_en} ×{_fmt_factor(c.multiplier)}{how}",
             kind="campaign", factor=f"×{_fmt_factor(c.multiplier)}", rule_id=c.id)

    if tier is not None and tier.multiplier != 1:
        step(exact * _frac(tier.multiplier), label=f"Tier: {tier.name_en} ×{_fmt_factor(tier.multiplier)}",
             kind="tier", factor=f"×{_fmt_factor(tier.multiplier)}", rule_id=tier.id)

    if exact != shown:
        lines.append(PricingLine(label=f"Rounded down: {_fmt_exact(exact)} → {shown:,} pt", kind="rounding",
                                 points=0, factor=None, rule_id=None))

    total = shown
    for c in bonuses:
        assert c.bonus_points is not None
        lines.append(PricingLine(label=f"Bonus: {c.name_en} +{c.bonus_points:,} pt", kind="bonus",
                                 points=c.bonus_points, factor=f"+{c.bonus_points:,}", rule_id=c.id))
        total += c.bonus_points

    for template in checked:
        if template.kind == "bonus_points":
            assert template.points is not None
            lines.append(PricingLine(label=f"Coupon: {template.name_en} +{template.points:,} pt", kind="coupon",
                                     points=template.points, factor=f"+{template.points:,}", rule_id=template.id))
            total += template.points
        else:
            assert template.yen is not None
            lines.append(PricingLine(label=f"Coupon: {template.name_en} {_yen(template.yen)} off (on the bill)",
                                     kind="coupon", points=0, factor=None, rule_id=template.id))

    return Pricing(points=total, lines=tuple(lines), rule_set_version=rule_set.version,
                   tier=tier.id if tier is not None else None,
                   campaigns=tuple(c.id for c in (*multipliers, *bonuses)))


# ---------------------------------------------------------------------------------------------
# Redemption
# ---------------------------------------------------------------------------------------------
def max_redeemable_points(rule_set: RuleSet, bill_yen: int | None, balance: int) -> int:
    """The most points one redemption may use: within balance, the bill cap, in whole units."""
    rules = rule_set.redemption
    limit = max(0, _int(balance, "balance", minimum=None))
    if bill_yen is not None:
        bill = _int(bill_yen, "bill_yen")
        limit = min(limit, bill * rules.max_bill_percent // 100 // rules.yen_per_point)
    limit -= limit % rules.unit_points
    return limit if limit >= rules.minimum_points else 0


def check_redemption(rule_set: RuleSet, points: int, bill_yen: int | None, balance: int) -> int:
    """The yen value of redeeming ``points`` (ポイント利用), or RuleViolation with code
    below_minimum, not_a_unit_multiple, over_bill_cap or insufficient_balance (checked in that
    order). ``bill_yen`` None means no bill to cap against (e.g. a points-only exchange)."""
    rules = rule_set.redemption
    points = _int(points, "points", minimum=None)
    balance = _int(balance, "balance", minimum=None)
    if points < rules.minimum_points:
        raise RuleViolation("below_minimum",
                            f"At least {rules.minimum_points:,} pt must be redeemed (asked for {points:,} pt).",
                            points=points, minimum=rules.minimum_points)
    if points % rules.unit_points:
        raise RuleViolation("not_a_unit_multiple",
                            f"Points are redeemed in units of {rules.unit_points:,} pt ({points:,} pt is not).",
                            points=points, unit=rules.unit_points)
    value = points * rules.yen_per_point
    if bill_yen is not None:
        bill = _int(bill_yen, "bill_yen")
        cap_yen = bill * rules.max_bill_percent // 100
        if value > cap_yen:
            max_points = cap_yen // rules.yen_per_point
            max_points -= max_points % rules.unit_points
            raise RuleViolation("over_bill_cap",
                                f"{points:,} pt (¥{value:,}) is more than {rules.max_bill_percent}% of the "
                                f"¥{bill:,} bill; at most {max_points:,} pt can be used.",
                                points=points, value_yen=value, bill_yen=bill, cap_yen=cap_yen,
                                max_bill_percent=rules.max_bill_percent, max_points=max_points)
    if points > balance:
        raise RuleViolation("insufficient_balance",
                            f"The balance is {balance:,} pt; {points:,} pt cannot be redeemed.",
                            points=points, balance=balance)
    return value


def check_offline_redemption(rule_set: RuleSet, points: int, bill_yen: int | None, balance: int,
                             redeemed_offline_today: int) -> int:
    """As :func:`check_redemption`, for a redemption made offline: ``balance`` is the last known
    balance minus pending redemptions, and the member's offline redemptions at this store today
    plus this one may not exceed the daily allowance (code over_offline_allowance)."""
    value = check_redemption(rule_set, points, bill_yen, balance)
    used = _int(redeemed_offline_today, "redeemed_offline_today")
    allowance = rule_set.offline.daily_allowance_points
    if used + points > allowance:
        remaining = max(0, allowance - used)
        raise RuleViolation("over_offline_allowance",
                            f"Offline, at most {allowance:,} pt a day can be redeemed; {remaining:,} pt remain today.",
                            points=points, allowance=allowance, used_today=used, remaining=remaining)
    return value


# ---------------------------------------------------------------------------------------------
# Stamps, expiry, segments
# ---------------------------------------------------------------------------------------------
def stamps_to_points(rule_set: RuleSet, stamps: int) -> int:
    """Points for a paper card with ``stamps`` stamps, capped at ``max_points_per_card``."""
    stamps = _int(stamps, "stamps")
    conv = rule_set.stamps
    return min(stamps * conv.points_per_stamp, conv.max_points_per_card)


def expiry_for(rule_set: RuleSet, earned_at: datetime) -> datetime:
    """When points earned at ``earned_at`` expire: ``expiry.months`` later (the same day of the
    month, or the month's last day), at the end of that store-local day (23:59:59.999999), as an
    aware datetime in the rule set's zone. Points are expired once ``now > expiry_for(...)``."""
    _require_aware(earned_at, "earned_at")
    local = _local(rule_set, earned_at).date()
    month_index = local.month - 1 + rule_set.expiry.months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return datetime.combine(date(year, month, day), time.max, tzinfo=rule_set.zone)


def vip_threshold(rule_set: RuleSet, annual_spends: Iterable[int]) -> int | None:
    """The lowest annual spend in the top ``vip_top_percent`` % of all the given members (floor of
    the share, at least one member; members tied at the threshold are all VIP; a ¥0 spend never
    is). None when nobody has spent anything."""
    spends = sorted((_int(s, "annual spend", minimum=None) for s in annual_spends), reverse=True)
    if not spends or spends[0] <= 0:
        return None
    count = max(1, len(spends) * rule_set.segments.vip_top_percent // 100)
    threshold = spends[count - 1]
    return threshold if threshold > 0 else min(s for s in spends if s > 0)
