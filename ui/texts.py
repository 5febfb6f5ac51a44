"""Translated sentences for things the services report by code: errors, ledger kinds, pricing
lines. Source strings are English; Japanese comes from resources/translations/tsumugi_ja.ts."""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)


def yen(n: int) -> str:
    return f"¥{int(n):,}"


def pts(n: int) -> str:
    return f"{int(n):,} pt"


class Texts(QObject):
    """One place for code → sentence. Use texts().error(exc)."""

    def error(self, exc: BaseException) -> str:
        code = getattr(exc, "code", None)
        params = getattr(exc, "params", {}) or {}
        m = {
            "wrong_pin": self.tr("Wrong staff number or PIN."),
            "locked": self.tr("Too many wrong PINs: this staff number is locked for a while. Ask a manager."),
            "unknown_staff": self.tr("There is no staff member with this number."),
            "permission_denied": self.tr("Only a store manager may do this."),
            "bad_pin_format": self.tr("A PIN is 4 to 8 digits."),
            "missing_name": self.tr("Please enter a name."),
            "first_staff_role": self.tr("The first staff member must be a manager."),
            "bad_store_id": self.tr("A store id is letters and digits, e.g. S001."),
            "already_initialised": self.tr("This database already belongs to another store."),
            "not_initialised": self.tr("This store is not set up yet."),
            "no_keyring": self.tr("This computer has no OS keyring, so keys cannot be kept safely."),
            "keyfile_permissions": self.tr("The key file can be read by other users; restrict it (chmod 600)."),
            # scans and members
            "empty": self.tr("Nothing was read."),
            "garbage": self.tr("This is not a member card."),
            "truncated": self.tr("The member code was read only in part. Please scan again."),
            "tampered": self.tr("This member code is not genuine (damaged or altered)."),
            "damaged": self.tr("This member code is not genuine (damaged or altered)."),
            "foreign_key": self.tr("This member code was issued by a store this terminal does not know yet."),
            "revoked": self.tr("This member card was replaced by a newer one; ask for the new card."),
            "unknown_card": self.tr("No member has this number or card."),
            "unknown_member": self.tr("No such member."),
            "member_deleted": self.tr("This member's data was deleted at their request."),
            "no_active_card": self.tr("This member has no active member card."),
            "signing_key_missing": self.tr("The signing key for this card is not on this computer."),
            "bad_kana": self.tr("Name kana must be written in kana."),
            "bad_phone": self.tr("That phone number does not look right (10 or 11 digits, starting with 0)."),
            "bad_email": self.tr("That e-mail address does not look right."),
            "bad_birthday": self.tr("That birthday is not a real date."),
            # points
            "bad_number": self.tr("Please enter a whole number."),
            "out_of_range": self.tr("That number is out of range."),
            "insufficient_balance": self.tr("Not enough points."),
            "below_minimum": self.tr("That is below the minimum number of points that can be used."),
            "not_a_unit_multiple": self.tr("Points can only be used in the allowed units."),
            "over_bill_cap": self.tr("That is more points than this bill allows."),
            "key_reused": self.tr("This action was already done with different details."),
            "void_window_passed": self.tr("The time allowed to void has passed; ask a manager."),
            "already_voided": self.tr("This was already voided."),
            "void_of_void": self.tr("A void cannot itself be voided."),
            "not_voidable": self.tr("This entry cannot be voided."),
            "foreign_entry": self.tr("Only the store that made an entry can void it."),
            "points_already_used": self.tr("Points from this entry were already used; void the redemption first."),
            "nothing_to_void": self.tr("There is nothing to void."),
            "refused_by_hq": self.tr("HQ refused this entry and its points were already taken back; "
                                     "there is nothing left to void."),
            "coupon_used": self.tr("This coupon was already used."),
            "coupon_expired": self.tr("This coupon has expired."),
            "unknown_coupon": self.tr("No such coupon."),
            "unknown_entry": self.tr("No such entry."),
            "over_offline_allowance": self.tr(
                "Offline, at most %1 pt a day can be used per member; %2 pt remain today.").replace(
                "%1", f"{int(params.get('allowance') or 0):,}").replace(
                "%2", f"{int(params.get('remaining') or 0):,}"),
            # sync with HQ
            "offline": self.tr("HQ could not be reached. Check the network and try again."),
            # the secure connection to HQ refused (sync/client.py CertificateRefused)
            "tls_expired": self.tr("HQ's certificate has expired. Ask HQ's administrator to renew it."),
            "tls_wrong_host": self.tr("HQ's certificate is for another address. Check the HQ address in Settings."),
            "tls_unknown_ca": self.tr("HQ's certificate is not from an authority this computer trusts. "
                                      "Ask HQ's administrator."),
            "tls_protocol": self.tr("HQ does not offer a secure enough connection (TLS 1.2 or newer)."),
            "tls_failed": self.tr("The secure connection to HQ failed."),
            "not_enrolled": self.tr("This store is not connected to HQ yet (Settings → HQ)."),
            "sync_locked": self.tr("Another sync is already running for this store."),
            "rate_limited": self.tr("HQ is busy; it will be tried again shortly."),
            "bad_reply": self.tr("HQ's answer could not be read (is something else answering at HQ's address?). "
                                 "Sync will try again."),
            "clock_off": self.tr("This computer's date and time are wrong, so HQ refuses its sync. "
                                 "Set them; sync goes on by itself."),
        }
        text = m.get(code)
        if text is None and type(exc).__name__ == "OperationalError" and "locked" in str(exc):
            # SQLite stayed busy (another program, a backup): nothing was lost; the action's key
            # makes a second try safe
            return self.tr("The database is busy. Press Enter to try again.")
        if text is None:
            log.warning("no translated text for error code %r", code)
            text = self.tr("Something went wrong: %1").replace("%1", str(code or type(exc).__name__))
        if code == "locked" and params.get("until"):
            pass
        return text

    def printer_failed(self, why: str) -> str:
        return self.tr("The printer did not respond: %1").replace("%1", why)

    def kind(self, kind: str) -> str:
        return {
            "earn": self.tr("Points earned"),
            "redeem": self.tr("Points used"),
            "void": self.tr("Void"),
            "adjust": self.tr("Adjustment"),
            "coupon": self.tr("Coupon used"),
            "expire": self.tr("Expired"),
            "migrate": self.tr("Paper card migrated"),
        }.get(kind, kind)

    def line(self, line: dict, rule_set=None, lang: str = "ja") -> str:
        """A pricing breakdown line in the UI language (the engine's label is English)."""
        kind = line.get("kind")
        factor = line.get("factor") or ""
        points = int(line.get("points") or 0)
        name = _rule_name(rule_set, kind, line.get("rule_id"), lang)
        if kind == "base":
            return self.tr("Base points: %1").replace("%1", pts(points))
        if kind == "campaign":
            return self.tr("Campaign %1 %2: %3").replace("%1", name).replace("%2", factor).replace(
                "%3", f"{points:+,} pt")
        if kind == "tier":
            return self.tr("Tier %1 %2: %3").replace("%1", name).replace("%2", factor).replace(
                "%3", f"{points:+,} pt")
        if kind == "rounding":
            return self.tr("Fractions rounded down")
        if kind == "bonus":
            return self.tr("Bonus %1: %2").replace("%1", name).replace("%2", f"{points:+,} pt")
        if kind == "coupon":
            return self.tr("Coupon %1: %2").replace("%1", name).replace("%2", f"{points:+,} pt")
        if kind == "redeem":
            return self.tr("Points used: %1").replace("%1", pts(-points))
        return str(line.get("label", ""))


def _rule_name(rule_set, kind, rule_id, lang) -> str:
    if rule_set is None or not rule_id:
        return ""
    pools = {"campaign": rule_set.campaigns, "bonus": rule_set.campaigns, "tier": rule_set.tiers,
             "coupon": rule_set.coupons}.get(kind, ())
    for item in pools:
        if item.id == rule_id:
            return item.name_ja if lang == "ja" else item.name_en
    return rule_id


_TEXTS: Texts | None = None


def texts() -> Texts:
    global _TEXTS
    if _TEXTS is None:
        _TEXTS = Texts()
    return _TEXTS


def tier_name(rule_set, tier_id: str | None, lang: str = "ja") -> str:
    if rule_set is None:
        return tier_id or ""
    tiers = list(rule_set.tiers)
    tier = next((t for t in tiers if t.id == tier_id), None)
    if tier is None and tiers:
        tier = min(tiers, key=lambda t: t.min_annual_spend_yen)
    if tier is None:
        return ""
    return tier.name_ja if lang == "ja" else tier.name_en
