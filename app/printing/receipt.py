"""What a receipt slip (レシート) and a member card (会員証) say, independent of how they are printed.

`Receipt` is plain data built from an `EntryResult` (``Receipt.from_entry(store, result)``) or by
hand; `receipt_lines()` and `card_lines()` lay it out as a list of `Line`s in Japanese (default)
or English. The ESC/POS renderer (Pillow → raster) and the Qt renderer (QPainter → PDF/printer)
both draw these same lines, so a slip reads the same on paper and in a PDF.

Formats follow the glossary: ¥1,234 · 12 pt · 2026/11/22 21:05 (store-local time).
No personal data: a slip carries the member number, never a name, phone or e-mail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

JST = timezone(timedelta(hours=9), "JST")


# -- formats ------------------------------------------------------------------------------------
def fmt_yen(amount: int) -> str:
    """¥1,234 (and -¥500 for a negative amount)."""
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def fmt_points(points: int, *, signed: bool = False) -> str:
    """12 pt; with ``signed`` +12 pt / -12 pt."""
    if signed and points > 0:
        return f"+{points:,} pt"
    return f"{points:,} pt" if points >= 0 else f"-{-points:,} pt"


def fmt_datetime(dt: datetime, tz: tzinfo | None = None) -> str:
    """2026/11/22 21:05 in the store's zone (Japan unless told)."""
    return _local(dt, tz).strftime("%Y/%m/%d %H:%M")


def fmt_date(dt: datetime, tz: tzinfo | None = None) -> str:
    return _local(dt, tz).strftime("%Y/%m/%d")


def _local(dt: datetime, tz: tzinfo | None) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz or JST)


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- data ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BreakdownLine:
    """One line of the points breakdown (from the pricing engine), with names in both languages."""
    kind: str  # base, campaign, tier, rounding, bonus, coupon, redeem
    points: int
    label_en: str
    name_ja: str = ""
    name_en: str = ""
    factor: str | None = None


@dataclass(frozen=True)
class ReceiptCoupon:
    """A coupon issued to the member with this transaction."""
    title_ja: str
    title_en: str
    kind: str  # bonus_points | yen_off
    value: int
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Receipt:
    store_name: str
    member_no: str
    kind: str  # earn, redeem, coupon, adjust, void, migrate
    points: int  # this time, signed
    balance: int
    at: datetime
    entry_id: str = ""
    pending: int = 0
    amount_yen: int | None = None
    breakdown: tuple[BreakdownLine, ...] = ()
    expiring_points: int = 0
    expiring_on: datetime | None = None
    coupons: tuple[ReceiptCoupon, ...] = ()
    terminal_id: str = ""
    tz: tzinfo = field(default=JST, compare=False)

    @classmethod
    def from_entry(cls, store, result, *, coupons=(), store_name: str | None = None) -> "Receipt":
        """The slip for an EntryResult just returned by the ledger (earn, redeem, coupon use,
        adjust, void). ``coupons`` are Coupon rows (or ReceiptCoupons) issued with it.
        Reads the member number, balance and expiring points from the store (a short read)."""
        bal = store.ledger.balance(result.member_id)
        lots = [lot for lot in store.ledger.lots(result.member_id) if lot.remaining > 0]
        rule_set = _rule_set(store, result.rule_set_version)
        tz = getattr(rule_set, "zone", None) or JST
        expiring_on = _parse(lots[0].expires_at) if lots and bal["expiring_30d"] else None
        name = store_name or store.setting("store_name") or store.store_id
        return cls(
            store_name=str(name), member_no=bal["member_no"], kind=result.kind, points=result.points,
            balance=result.balance, pending=result.pending, at=_parse(result.created_at) or store.now(),
            entry_id=result.entry_id, amount_yen=result.amount_yen,
            breakdown=tuple(_breakdown(result.breakdown, rule_set)),
            expiring_points=int(bal["expiring_30d"]), expiring_on=expiring_on,
            coupons=tuple(_coupon(c) for c in coupons), terminal_id=store.terminal_id or "", tz=tz,
        )


def _rule_set(store, version):
    try:
        for rs in store.rules.all():
            if rs.version == version:
                return rs
    except Exception:  # a receipt never fails for want of campaign names
        return None
    return None


def _breakdown(lines, rule_set) -> list[BreakdownLine]:
    names: dict[str, tuple[str, str]] = {}
    if rule_set is not None:
        for group in ("campaigns", "tiers", "coupons"):
            for item in getattr(rule_set, group, ()) or ():
                names[item.id] = (item.name_ja, item.name_en)
    out = []
    for ln in lines or []:
        ja, en = names.get(ln.get("rule_id") or "", ("", ""))
        out.append(BreakdownLine(kind=ln.get("kind", ""), points=int(ln.get("points") or 0),
                                 label_en=ln.get("label", ""), name_ja=ja, name_en=en, factor=ln.get("factor")))
    return out


def _coupon(c) -> ReceiptCoupon:
    if isinstance(c, ReceiptCoupon):
        return c
    return ReceiptCoupon(title_ja=c.title_ja, title_en=c.title_en, kind=c.kind, value=int(c.value),
                         expires_at=_parse(c.expires_at) if isinstance(c.expires_at, str) else c.expires_at)


# -- layout -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """One printed line: text on the left, an optional value flush right.
    style: title (large, centred), center, normal, bold, small, note (small, centred), rule (a dashed
    line)."""
    left: str = ""
    right: str = ""
    style: str = "normal"
    indent: int = 0


_TITLES = {
    "ja": {"earn": "ポイント付与", "redeem": "ポイント利用", "coupon": "クーポン利用", "adjust": "ポイント調整",
           "void": "取消", "migrate": "紙カード移行", "expire": "失効"},
    "en": {"earn": "Points earned", "redeem": "Points redeemed", "coupon": "Coupon used",
           "adjust": "Points adjustment", "void": "Void", "migrate": "Paper card migrated", "expire": "Expired"},
}
_WORDS = {
    "ja": {"slip": "ポイントレシート", "member_no": "会員番号", "amount": "お買上金額（税込）", "this_time": "今回ポイント",
           "balance": "ポイント残高", "pending": "うち未反映", "expiring": "失効予定（30日以内）",
           "expiry": "有効期限", "coupon_issued": "クーポン発行", "entry": "取引番号", "terminal": "端末",
           "base": "基本ポイント", "campaign": "キャンペーン", "tier": "会員ランク", "rounding": "端数切り捨て",
           "bonus": "ボーナス", "coupon": "クーポン", "redeem": "値引き", "off": "引き",
           "card": "会員証", "show": "ご来店の際はこのコードをご提示ください", "thanks": "ご利用ありがとうございます"},
    "en": {"slip": "Points receipt", "member_no": "Member number", "amount": "Purchase (tax incl.)",
           "this_time": "Points this time", "balance": "Balance", "pending": "of which pending",
           "expiring": "Expiring (30 days)", "expiry": "Expiry", "coupon_issued": "Coupon issued",
           "entry": "Transaction", "terminal": "Terminal", "base": "Base points", "campaign": "Campaign",
           "tier": "Tier", "rounding": "Rounded down", "bonus": "Bonus", "coupon": "Coupon",
           "redeem": "Discount", "off": "off", "card": "Member card", "show": "Show this code at the counter",
           "thanks": "Thank you"},
}


def words(lang: str) -> dict[str, str]:
    return _WORDS["en" if lang == "en" else "ja"]


def _breakdown_text(b: BreakdownLine, lang: str) -> str:
    w = words(lang)
    name = (b.name_en or b.name_ja) if lang == "en" else (b.name_ja or b.name_en)
    if b.kind == "base":
        return w["base"]
    if b.kind == "rounding":
        detail = b.label_en.split(":", 1)[1].strip() if ":" in b.label_en else ""
        return f"{w['rounding']} {detail}".strip()
    if b.kind == "redeem":
        m = re.search(r"¥[\d,]+", b.label_en)
        return f"{w['redeem']}" + (f" {m.group(0)}" if m else "")
    if b.kind in ("campaign", "tier", "bonus", "coupon"):
        if not name:  # no rule set at hand: the engine's own words
            detail = b.label_en.split(":", 1)[1].strip() if ":" in b.label_en else b.label_en
            detail = re.sub(r"\s*[+-]?[\d,]+ pt$", "", detail)
            return f"{w[b.kind]}: {detail}"
        factor = f" {b.factor}" if b.factor and b.factor.startswith("×") else ""
        return f"{w[b.kind]}: {name}{factor}"
    return b.label_en


def receipt_lines(r: Receipt, lang: str = "ja") -> list[Line]:
    w = words(lang)
    title = _TITLES["en" if lang == "en" else "ja"].get(r.kind, r.kind)
    out = [Line(r.store_name, style="title"), Line(w["slip"], style="center"),
           Line(fmt_datetime(r.at, r.tz), r.terminal_id and f"{w['terminal']} {r.terminal_id}", style="small"),
           Line(w["member_no"], r.member_no), Line(style="rule"), Line(title, style="bold")]
    if r.amount_yen is not None and r.kind == "earn":
        out.append(Line(w["amount"], fmt_yen(r.amount_yen)))
    for b in r.breakdown:
        value = "" if b.kind == "rounding" else fmt_points(b.points, signed=b.kind != "base")
        if b.kind == "coupon" and b.points == 0:
            value = ""
        out.append(Line(_breakdown_text(b, lang), value, style="small", indent=1))
    out += [Line(w["this_time"], fmt_points(r.points, signed=True), style="bold"), Line(style="rule"),
            Line(w["balance"], fmt_points(r.balance), style="bold")]
    if r.pending:
        out.append(Line(w["pending"], fmt_points(r.pending), style="small", indent=1))
    if r.expiring_points:
        out.append(Line(w["expiring"], fmt_points(r.expiring_points)))
        if r.expiring_on:
            out.append(Line(w["expiry"], fmt_date(r.expiring_on, r.tz), style="small", indent=1))
    for c in r.coupons:
        title_c = (c.title_en or c.title_ja) if lang == "en" else (c.title_ja or c.title_en)
        value = fmt_points(c.value, signed=True) if c.kind == "bonus_points" else f"{fmt_yen(c.value)} {w['off']}"
        out += [Line(style="rule"), Line(w["coupon_issued"], style="bold"), Line(title_c, value, indent=1)]
        if c.expires_at:
            out.append(Line(w["expiry"], fmt_datetime(c.expires_at, r.tz), style="small", indent=1))
    out.append(Line(style="rule"))
    if r.entry_id:
        out.append(Line(w["entry"], r.entry_id[:8].upper(), style="small"))
    out.append(Line(w["thanks"], style="center"))
    return out


def card_header_lines(store_name: str, lang: str = "ja") -> list[Line]:
    return [Line(store_name, style="title"), Line(words(lang)["card"], style="center")]


def card_footer_lines(member_no: str, lang: str = "ja", note: str | None = None) -> list[Line]:
    w = words(lang)
    out = [Line(f"{w['member_no']} {member_no}", style="center")]
    out.append(Line(note if note is not None else w["show"], style="note"))
    return out

