"""Daily report (日報) and month-end snapshot (月次締め) as PDF: QPdfWriter + QPainter, A4, Japanese
text in a CJK font, a bar chart drawn with QPainter. Works offscreen and off the GUI thread (no
widgets). These are store documents: Japanese by default, English with lang="en"."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

LABELS = {
    "daily": ("日報", "Daily report"),
    "monthly": ("月次締め", "Month-end report"),
    "store": ("店舗", "Store"),
    "day": ("営業日", "Business day"),
    "month": ("対象月", "Month"),
    "generated": ("作成日時", "Generated"),
    "period": ("集計期間", "Period"),
    "purchases": ("会員のお買上件数", "Purchases with a member"),
    "purchase_yen": ("お買上金額（税込）", "Purchase amount (tax incl.)"),
    "earned": ("ポイント付与", "Points earned"),
    "redeemed": ("ポイント利用", "Points redeemed"),
    "expired": ("失効ポイント", "Points expired"),
    "adjusted": ("ポイント調整", "Points adjusted"),
    "coupon_points": ("クーポン付与ポイント", "Coupon points"),
    "voided": ("取消", "Voided"),
    "net": ("ポイント増減（合計）", "Net change in points"),
    "new_members": ("新規会員登録", "New members"),
    "migrated": ("紙カード移行", "Paper cards migrated"),
    "campaigns": ("キャンペーン別ポイント", "Points by campaign"),
    "coupons": ("クーポン利用", "Coupon uses"),
    "uses": ("件数", "Uses"),
    "points": ("ポイント", "Points"),
    "hours": ("時間帯別お買上件数", "Purchases by hour"),
    "top_hours": ("ピーク時間帯", "Busiest hours"),
    "none": ("なし", "None"),
    "liability": ("ポイント残高合計（未使用ポイント）", "Points liability (outstanding points)"),
    "members_total": ("会員数", "Members"),
    "active": ("アクティブ会員（12か月以内に来店）", "Active members (visited within 12 months)"),
    "visitors": ("当月来店会員", "Members who visited this month"),
    "expiring": ("翌月失効予定ポイント", "Points expiring next month"),
    "tiers": ("会員ランク分布", "Tier distribution"),
    "month_totals": ("当月のポイント", "Points this month"),
}
TIERS = {"bronze": ("ブロンズ", "Bronze"), "silver": ("シルバー", "Silver"), "gold": ("ゴールド", "Gold"),
         "none": ("ランクなし", "No rank")}


def _l(key: str, lang: str) -> str:
    ja, en = LABELS[key]
    return ja if lang == "ja" else en


def _font(size: float, bold: bool = False) -> QFont:
    f = QFont()
    try:
        from ui.printing import font_families

        fams = font_families()
        if fams:
            f.setFamilies(fams)
    except Exception:  # pragma: no cover - printing module unavailable
        pass
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


class _Doc:
    def __init__(self, path: Path, title: str):
        self.writer = QPdfWriter(str(path))
        self.writer.setTitle(title)
        self.writer.setCreator("Tsumugi")
        self.writer.setResolution(300)
        self.writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                              QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        self.p = QPainter(self.writer)
        self.width = self.writer.width()
        self.height = self.writer.height()
        self.y = 0.0

    def mm(self, v: float) -> float:
        return v * self.writer.resolution() / 25.4

    def ensure(self, h: float) -> None:
        if self.y + h > self.height:
            self.writer.newPage()
            self.y = 0.0

    def text(self, s: str, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
        f = _font(size, bold)
        self.p.setFont(f)
        h = QFontMetricsF(f, self.writer).height()
        self.ensure(h)
        self.p.drawText(QRectF(0, self.y, self.width, h), Qt.AlignmentFlag.AlignLeft, s)
        self.y += h + self.mm(gap)

    def row(self, label: str, value: str, size: float = 10) -> None:
        f = _font(size)
        self.p.setFont(f)
        h = QFontMetricsF(f, self.writer).height()
        self.ensure(h)
        self.p.drawText(QRectF(0, self.y, self.width * 0.62, h), Qt.AlignmentFlag.AlignLeft, label)
        self.p.drawText(QRectF(self.width * 0.62, self.y, self.width * 0.38, h), Qt.AlignmentFlag.AlignRight, value)
        self.y += h + self.mm(1)
        self.p.setPen(QPen(QColor("#cccccc"), self.mm(0.1)))
        self.p.drawLine(QPointF(0, self.y - self.mm(0.5)), QPointF(self.width, self.y - self.mm(0.5)))
        self.p.setPen(QPen(QColor("black")))

    def bars(self, items: list[tuple[str, int]], height_mm: float = 45) -> None:
        """A bar chart (labels under the bars, values above)."""
        h = self.mm(height_mm)
        self.ensure(h + self.mm(10))
        top, left = self.y, 0.0
        n = max(1, len(items))
        slot = self.width / n
        peak = max([v for _, v in items] + [1])
        small = _font(6)
        self.p.setFont(small)
        fh = QFontMetricsF(small, self.writer).height()
        base = top + h - fh
        for i, (label, v) in enumerate(items):
            bh = (h - 3 * fh) * v / peak
            x = left + i * slot
            self.p.fillRect(QRectF(x + slot * 0.15, base - bh, slot * 0.7, bh), QColor("#3a7bd5"))
            if v:
                self.p.drawText(QRectF(x, base - bh - fh, slot, fh), Qt.AlignmentFlag.AlignHCenter, f"{v:,}")
            self.p.drawText(QRectF(x, base, slot, fh), Qt.AlignmentFlag.AlignHCenter, label)
        self.p.setPen(QPen(QColor("black"), self.mm(0.2)))
        self.p.drawLine(QPointF(0, base), QPointF(self.width, base))
        self.y = top + h + self.mm(4)

    def close(self) -> None:
        self.p.end()


def _local(stamp: str, tzname: str, fmt: str = "%Y/%m/%d %H:%M") -> str:
    """A stored UTC time in the store's zone (the report's time zone), as the store reads it."""
    from app.clock import parse_iso
    from app.rules.model import zone_for

    try:
        zone = zone_for(tzname)
    except KeyError:
        zone = zone_for("Asia/Tokyo")
    return parse_iso(stamp).astimezone(zone).strftime(fmt)


def _header(d: "_Doc", f, lang: str) -> None:
    d.text(f"{_l('store', lang)}: {f.store_id}    {_l('generated', lang)}: {_local(f.generated_at, f.timezone)}"
           f"    ({f.timezone})", 8, gap=1)
    end = _local(f.end, f.timezone)
    if end.endswith(" 00:00"):  # a business day or month ends at local midnight: say 24:00 of the day before
        end = _local(_minute_before(f.end), f.timezone, "%Y/%m/%d") + " 24:00"
    d.text(f"{_l('period', lang)}: {_local(f.start, f.timezone)} – {end}", 8, gap=4)


def _minute_before(stamp: str) -> str:
    from datetime import timedelta

    from app.clock import iso, parse_iso

    return iso(parse_iso(stamp) - timedelta(minutes=1))


def _yen(v: int) -> str:
    return f"¥{v:,}"


def _pt(v: int) -> str:
    return f"{v:,} pt"


def daily_pdf(f, path, lang: str = "ja") -> Path:
    """Write the daily report for DailyFigures `f` to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    day = f.day.replace("-", "/")
    d = _Doc(path, f"{_l('daily', lang)} {day}")
    try:
        d.text(f"{_l('daily', lang)}  {day}", 18, True, 3)
        _header(d, f, lang)
        for key, value in (("purchases", f"{f.purchases:,}"), ("purchase_yen", _yen(f.purchase_yen)),
                           ("earned", _pt(f.points_earned)), ("redeemed", _pt(f.points_redeemed)),
                           ("expired", _pt(f.points_expired)), ("adjusted", _pt(f.points_adjusted)),
                           ("coupon_points", _pt(f.coupon_points)), ("voided", f"{f.voids:,} / {_pt(f.voided_points)}"),
                           ("net", _pt(f.net_points)), ("new_members", f"{f.new_members:,}"),
                           ("migrated", f"{f.paper_cards_migrated:,} / {_pt(f.migrated_points)}")):
            d.row(_l(key, lang), value)
        d.y += d.mm(3)
        d.text(_l("campaigns", lang), 12, True)
        if not f.campaigns:
            d.row(_l("none", lang), "")
        for c in f.campaigns:
            d.row(c["name_ja"] if lang == "ja" else c["name_en"],
                  f"{_l('uses', lang)} {c['uses']:,}  /  {_pt(c['points'])}")
        d.y += d.mm(3)
        d.text(_l("coupons", lang), 12, True)
        if not f.coupons:
            d.row(_l("none", lang), "")
        for c in f.coupons:
            d.row(c["name_ja"] if lang == "ja" else c["name_en"],
                  f"{_l('uses', lang)} {c['uses']:,}  /  {_pt(c['points'])}")
        d.y += d.mm(3)
        d.text(_l("hours", lang), 12, True)
        d.bars([(f"{h['hour']}", h["purchases"]) for h in f.hours])
        top = ", ".join(f"{h}:00" for h in f.top_hours) or _l("none", lang)
        d.row(_l("top_hours", lang), top)
    finally:
        d.close()
    return path


def monthly_pdf(f, path, lang: str = "ja") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    month = f.month.replace("-", "/")
    d = _Doc(path, f"{_l('monthly', lang)} {month}")
    try:
        d.text(f"{_l('monthly', lang)}  {month}", 18, True, 3)
        _header(d, f, lang)
        for key, value in (("liability", _pt(f.liability_points)), ("members_total", f"{f.members_total:,}"),
                           ("active", f"{f.active_members:,}"), ("visitors", f"{f.visitors:,}"),
                           ("new_members", f"{f.new_members:,}"), ("expiring", _pt(f.expiring_next_month))):
            d.row(_l(key, lang), value)
        d.y += d.mm(3)
        d.text(_l("month_totals", lang), 12, True)
        for key, value in (("purchases", f"{f.purchases:,}"), ("purchase_yen", _yen(f.purchase_yen)),
                           ("earned", _pt(f.points_earned)), ("redeemed", _pt(f.points_redeemed)),
                           ("expired", _pt(f.points_expired)), ("adjusted", _pt(f.points_adjusted))):
            d.row(_l(key, lang), value)
        d.y += d.mm(3)
        d.text(_l("tiers", lang), 12, True)
        names = getattr(f, "tier_names", None) or TIERS  # a report made before tier_names: the built-in ones
        order = [k for k in names if k != "none"] + sorted(k for k in f.tiers if k not in names and k != "none")
        order.append("none")
        items = []
        for k in order:
            if k in f.tiers:
                name = (names.get(k) or TIERS.get(k) or (k, k))[0 if lang == "ja" else 1]
                d.row(name, f"{f.tiers[k]:,}")
                items.append((name, int(f.tiers[k])))
        d.bars(items, 40)
    finally:
        d.close()
    return path
