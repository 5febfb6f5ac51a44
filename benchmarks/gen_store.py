"""Generate a large, consistent store database for the benchmarks.

    python -m benchmarks.gen_store [--members 1000000] [--entries 10000000] [--seed 1] [--out PATH] [--force]

The store is created the way a real one is (``Store.open`` + ``init_store`` + one manager), then
members, cards, ledger entries, lots, lot moves, audit rows and an unsynced outbox tail are
bulk-inserted with raw ``sqlite3`` ``executemany`` in large transactions (journal and fsync off
only while generating; WAL is restored at the end).

Every row satisfies what the services guarantee:
- member.balance == sum(ledger.points) == sum(lots.remaining) >= 0, per member;
- every entry's lot moves add up to its points; every lot's moves add up to its remaining;
- no lot is past its expiry with points left (expiries were written, as the nightly job would);
- member numbers follow ``MemberService._next_member_no`` and settings.member_seq is the last one;
- request hashes, breakdowns, outbox payloads and audit rows have the services' exact shapes;
- earn points are priced by the real rule engine (``price_purchase``) with the member's tier.

Each member's history is simulated in time order (earn, some redeem, void within minutes, rare
manager adjust, expiry 12 months on) and written member by member, so ``seq`` is time-ordered per
member but not across members. Entries older than ``--pending-hours`` are 'acked' (their outbox
rows were pushed and pruned); newer ones are 'pending' with their outbox rows. Audit rows exist for
the retention window (365 days). One member code card per member (plus a few migrated paper
cards) signed by this store's key.

The database is cached: ``$TSUMUGI_BENCH_DIR`` (default ``benchmarks/out/``) holds
``store-m{members}-e{entries}-s{seed}.db`` and a ``.json`` sidecar with the parameters, the
schema head and the generation time; a rerun with the same parameters reuses it.

The signing key goes to the OS keyring through ``app.secrets``. Outside pytest there usually is
none, so the command line installs an in-memory keyring first (``install_memory_keyring``): the
private key dies with the process, which is why the benchmarks add a fresh key of their own.
The store databases are encrypted (SQLCipher); the keys of these generated, synthetic databases
are kept in ``$TSUMUGI_BENCH_DIR/bench-db-keys.json`` (mode 600) so that every benchmark process
can open the cached files. Benchmark data only: a real store's key never leaves the OS keyring.
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import queue
import threading
import calendar
import json
import math
import os
import random
import secrets as _secrets
import sqlite3
import sys
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring
import keyring.backend

GENERATOR_VERSION = 3  # 2: budgets follow what is left; 3: secondary indexes built after loading
STORE_ID = "S001"
OUT_DIR = Path(__file__).resolve().parent / "out"
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
JST = ZoneInfo("Asia/Tokyo")


# -- keyring ------------------------------------------------------------------------------------
class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring: the benchmark process has no OS keyring. Secrets vanish with the
    process, except (with db_keys_file) the keys of the generated, synthetic benchmark databases,
    which every benchmark process needs to open the cached files."""

    priority = 1

    def __init__(self, db_keys_file: Path | None = None):
        super().__init__()
        self._items: dict[tuple[str, str], str] = {}
        self._db_keys_file = db_keys_file
        if db_keys_file is not None and db_keys_file.is_file():
            for name, value in json.loads(db_keys_file.read_text(encoding="utf-8") or "{}").items():
                self._items[("tsumugi", name)] = value

    def get_password(self, service, username):
        return self._items.get((service, username))

    def set_password(self, service, username, password):
        self._items[(service, username)] = password
        if self._db_keys_file is not None and username.startswith("db-key:"):
            f = self._db_keys_file
            f.parent.mkdir(parents=True, exist_ok=True)
            data = json.loads(f.read_text(encoding="utf-8") or "{}") if f.is_file() else {}
            data[username] = password
            tmp = f.with_name(f.name + f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(tmp, f)

    def delete_password(self, service, username):
        self._items.pop((service, username), None)


def install_memory_keyring(db_keys_file: Path | None = None) -> MemoryKeyring:
    backend = MemoryKeyring(db_keys_file or out_dir() / "bench-db-keys.json")
    keyring.set_keyring(backend)
    return backend


# -- paths and cache ----------------------------------------------------------------------------
def out_dir() -> Path:
    return Path(os.environ.get("TSUMUGI_BENCH_DIR") or OUT_DIR)


def db_path_for(members: int, entries: int, seed: int = 1, directory: Path | None = None) -> Path:
    return (directory or out_dir()) / f"store-m{members}-e{entries}-s{seed}.db"


def meta_path_for(db: Path) -> Path:
    return db.with_name(db.name + ".json")


def schema_head() -> str:
    from alembic.script import ScriptDirectory

    from app.db import alembic_config

    return ScriptDirectory.from_config(alembic_config(":memory:")).get_current_head()


def _params(members: int, entries: int, seed: int, pending_hours: float) -> dict:
    return {"generator_version": GENERATOR_VERSION, "members": members, "entries": entries, "seed": seed,
            "pending_hours": pending_hours, "schema_head": schema_head()}


@dataclass
class Generated:
    path: Path
    meta: dict
    cached: bool


def ensure_store(members: int, entries: int, *, seed: int = 1, path: Path | None = None, force: bool = False,
                 pending_hours: float = 2.0, log=None) -> Generated:
    """The cached database for these parameters, generating it first if needed. Concurrent
    callers (other engineers' runs on the same checkout) wait for one generation and share it."""
    import fcntl

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    path = Path(path) if path else db_path_for(members, entries, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    want = _params(members, entries, seed, pending_hours)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _wait_for_foreign_generation(path, log)
            if not force:
                meta = cached_meta(path, want)
                if meta is not None:
                    # The file's own stamp decides (a sidecar may name a head the file never had).
                    if file_schema(path) != want["schema_head"]:
                        meta = _upgrade_cached(path, meta, want["schema_head"], log)
                    return Generated(path, meta, cached=True)
            meta = generate(path, members, entries, seed=seed, pending_hours=pending_hours, log=log)
            return Generated(path, meta, cached=False)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cached_meta(path: Path, want: dict) -> dict | None:
    meta_path = meta_path_for(path)
    if not (path.exists() and meta_path.exists()):
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    same = all(meta.get(k) == v for k, v in want.items() if k != "schema_head")
    if meta.get("complete") and same and meta.get("size_bytes") == path.stat().st_size:
        return meta
    return None


def file_schema(path: Path) -> str | None:
    """The Alembic revision the database file is stamped with (None when it has none)."""
    from app.db import connect_raw

    con = connect_raw(path, readonly=True)
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        con.close()
    return rows[0][0] if len(rows) == 1 else None


def _upgrade_cached(path: Path, meta: dict, head: str, log) -> dict:
    """A newer migration than the cached file: upgrade it in place (as the app would at start)
    rather than regenerate. New tables stay empty; --force regenerates."""
    from app.db import upgrade_to_head

    before = file_schema(path)
    log(f"gen_store: upgrading the cached database from schema {before} to {head}")
    t0 = time.perf_counter()
    upgrade_to_head(path)
    from app.db import connect_raw

    con = connect_raw(path, pragmas=False)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    meta = dict(meta, schema_head=file_schema(path), size_bytes=path.stat().st_size,
                upgraded_from=meta.get("upgraded_from") or before,
                upgrade_s=round(time.perf_counter() - t0, 1))
    meta_path_for(path).write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    return meta


def _wait_for_foreign_generation(path: Path, log, stale_s: float = 120.0) -> None:
    """A generator that does not take the lock (an older copy of this file) may be writing the
    .partial file: wait while it is still growing rather than pull it from under it."""
    partial = path.with_name(path.name + ".partial")
    announced = False
    while partial.exists() and time.time() - partial.stat().st_mtime < stale_s:
        if not announced:
            log(f"gen_store: another process is writing {partial.name}; waiting for it")
            announced = True
        time.sleep(10)


# -- names --------------------------------------------------------------------------------------
# Common family names (reading, kanji, relative weight ~ real frequency) and a long tail made from
# syllables, so that prefixes are as selective as in a real member list.
FAMILY = [
    ("サトウ", "佐藤", 190), ("スズキ", "鈴木", 180), ("タカハシ", "高橋", 140), ("タナカ", "田中", 135),
    ("イトウ", "伊藤", 110), ("ワタナベ", "渡辺", 110), ("ヤマモト", "山本", 110), ("ナカムラ", "中村", 105),
    ("コバヤシ", "小林", 105), ("カトウ", "加藤", 90), ("ヨシダ", "吉田", 85), ("ヤマダ", "山田", 82),
    ("ササキ", "佐々木", 68), ("ヤマグチ", "山口", 65), ("マツモト", "松本", 63), ("イノウエ", "井上", 62),
    ("キムラ", "木村", 58), ("ハヤシ", "林", 56), ("サイトウ", "斎藤", 56), ("シミズ", "清水", 55),
    ("ヤマザキ", "山崎", 49), ("モリ", "森", 47), ("イケダ", "池田", 46), ("ハシモト", "橋本", 46),
    ("アベ", "阿部", 46), ("イシカワ", "石川", 44), ("ヤマシタ", "山下", 43), ("ナカジマ", "中島", 42),
    ("イシイ", "石井", 41), ("オガワ", "小川", 41), ("マエダ", "前田", 40), ("オカダ", "岡田", 39),
    ("ハセガワ", "長谷川", 39), ("フジタ", "藤田", 39), ("ゴトウ", "後藤", 38), ("コンドウ", "近藤", 37),
    ("ムラカミ", "村上", 36), ("エンドウ", "遠藤", 35), ("アオキ", "青木", 35), ("サカモト", "坂本", 34),
    ("サイトウ", "齊藤", 12), ("フクダ", "福田", 33), ("オオタ", "太田", 33), ("ニシムラ", "西村", 32),
    ("フジイ", "藤井", 32), ("カネコ", "金子", 31), ("オカモト", "岡本", 31), ("フジワラ", "藤原", 31),
    ("ナカノ", "中野", 30), ("ミウラ", "三浦", 30), ("ハラダ", "原田", 30), ("マツダ", "松田", 29),
    ("タケウチ", "竹内", 29), ("オノ", "小野", 29), ("タムラ", "田村", 29), ("ナカヤマ", "中山", 28),
    ("ワダ", "和田", 28), ("イシダ", "石田", 28), ("モリタ", "森田", 27), ("ウエダ", "上田", 27),
    ("ハラ", "原", 27), ("ウチダ", "内田", 26), ("シバタ", "柴田", 26), ("サカイ", "酒井", 26),
    ("クドウ", "工藤", 25), ("ヨコヤマ", "横山", 25), ("ミヤザキ", "宮崎", 25), ("ミヤモト", "宮本", 25),
    ("ウチヤマ", "内山", 12), ("タカギ", "高木", 24), ("アンドウ", "安藤", 24), ("オオノ", "大野", 23),
    ("マルヤマ", "丸山", 23), ("イマイ", "今井", 23), ("タカダ", "高田", 22), ("フジモト", "藤本", 22),
]
GIVEN = [
    ("ハナコ", "花子"), ("ヨウコ", "洋子"), ("ケイコ", "恵子"), ("ユミコ", "由美子"), ("アキコ", "明子"),
    ("ミホ", "美穂"), ("サクラ", "さくら"), ("ユイ", "結衣"), ("アオイ", "葵"), ("ヒナ", "陽菜"),
    ("メイ", "芽依"), ("リン", "凛"), ("ミサキ", "美咲"), ("ナナミ", "七海"), ("マイ", "舞"),
    ("ユウコ", "裕子"), ("トモコ", "智子"), ("カズコ", "和子"), ("サチコ", "幸子"), ("ノリコ", "典子"),
    ("タロウ", "太郎"), ("イチロウ", "一郎"), ("ヒロシ", "博"), ("タカシ", "隆"), ("マコト", "誠"),
    ("ケンジ", "健二"), ("シンジ", "真司"), ("ダイスケ", "大輔"), ("ショウタ", "翔太"), ("ハルト", "陽翔"),
    ("ソウタ", "蒼太"), ("ユウト", "悠斗"), ("レン", "蓮"), ("ミナト", "湊"), ("タクミ", "匠"),
    ("カズヤ", "和也"), ("ナオキ", "直樹"), ("ヨシオ", "義男"), ("マサル", "勝"), ("ツヨシ", "剛"),
]
# Syllables (mora) with rough frequencies, for made-up but plausible readings.
_SYL = ("ア イ ウ エ オ カ キ ク ケ コ サ シ ス セ ソ タ チ ツ テ ト ナ ニ ヌ ネ ノ ハ ヒ フ ヘ ホ マ ミ ム メ モ "
        "ヤ ユ ヨ ラ リ ル レ ロ ワ ガ ギ グ ゲ ゴ ザ ジ ズ ゼ ゾ ダ デ ド バ ビ ブ ベ ボ パ ピ プ ペ ポ "
        "キョ シュ ショ チョ リョ ジュ ジョ ン ウ イ").split()
_SYL_W = [6, 5, 4, 2, 5, 6, 5, 4, 2, 5, 5, 5, 3, 2, 2, 6, 3, 3, 2, 4, 5, 3, 1, 2, 4, 4, 3, 4, 1, 3, 5, 4, 3,
          2, 4, 4, 2, 3, 2, 3, 2, 1, 2, 2, 2, 1, 1, 2, 3, 2, 1, 3, 1, 1, 3, 2, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1,
          1, 1, 2, 1, 1, 1, 1, 1, 4, 3, 3]
_SYL_CUM = []
_acc = 0
for _w in _SYL_W:
    _acc += _w
    _SYL_CUM.append(_acc)
_SYL_TOTAL = _acc
_FAM_CUM = []
_acc = 0
for _f in FAMILY:
    _acc += _f[2]
    _FAM_CUM.append(_acc)
_FAM_TOTAL = _acc
_GIVEN_ENDINGS = ["コ", "ミ", "カ", "ナ", "タ", "キ", "ヤ", "オ", "ト", "ヒロ", "ミ", "エ"]
_MAIL_DOMAINS = ["gmail.com", "docomo.ne.jp", "ezweb.ne.jp", "icloud.com", "yahoo.co.jp", "softbank.ne.jp"]
_HIRA = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}


def _syllables(rng: random.Random, n: int) -> str:
    return "".join(_SYL[bisect.bisect_right(_SYL_CUM, rng.random() * _SYL_TOTAL)] for _ in range(n))


def _family(rng: random.Random) -> tuple[str, str | None]:
    if rng.random() < 0.62:
        kana, kanji, _ = FAMILY[bisect.bisect_right(_FAM_CUM, rng.random() * _FAM_TOTAL)]
        return kana, kanji
    return _syllables(rng, rng.choice((2, 3, 3, 3, 4))), None


def _given(rng: random.Random) -> tuple[str, str | None]:
    if rng.random() < 0.6:
        kana, kanji = GIVEN[rng.randrange(len(GIVEN))]
        return kana, kanji
    return _syllables(rng, rng.choice((1, 2, 2))) + rng.choice(_GIVEN_ENDINGS), None


def _hiragana(text: str) -> str:
    return "".join(_HIRA.get(ch, ch) for ch in text)


# -- time formatting ----------------------------------------------------------------------------
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_day_cache: dict[int, str] = {}


def iso_us(us: int) -> str:
    """app.clock.iso for an integer count of microseconds since the epoch (UTC), but fast."""
    day, rest = divmod(us, DAY_US)
    prefix = _day_cache.get(day)
    if prefix is None:
        prefix = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
        _day_cache[day] = prefix
    secs, micro = divmod(rest, 1_000_000)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{prefix}{h:02d}:{m:02d}:{s:02d}.{micro:06d}Z"


def us_to_dt(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def dt_to_us(dt: datetime) -> int:
    delta = dt - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


# -- generation ---------------------------------------------------------------------------------
def _rh(text: str) -> str:
    """app.services.ledger._request_hash for parts already rendered as their JSON text."""
    return hashlib.sha256(text.encode()).hexdigest()


def _j(value) -> str:
    """JSON text of a str/int/None (what json.dumps gives, faster for these simple types)."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def _uuid4(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _luhn_member_no(store_id: str, seq: int) -> str:
    from app.services.members import luhn_digit
    from app.text import nfkc

    digits = "".join(ch for ch in nfkc(store_id) if ch.isdigit())[-3:]
    prefix = digits.zfill(3) if digits else str(int.from_bytes(store_id.encode(), "big") % 1000).zfill(3)
    body = f"{prefix}{seq:07d}"
    return body + luhn_digit(body)


def _sqlite_version() -> str:
    from app.db import dbapi

    return f"{dbapi.sqlite_version} (SQLCipher)"


def _insert_sql(con: sqlite3.Connection, table: str, columns: list[str]) -> str:
    have = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
    missing = [c for c in have if c not in columns]
    # A new NOT NULL column without a default means the generator must learn about it.
    for row in con.execute(f"PRAGMA table_info({table})"):
        if row[1] in missing and row[3] and row[4] is None and not row[5]:
            raise RuntimeError(f"benchmarks.gen_store does not fill the new column {table}.{row[1]}")
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


MEMBER_COLS = ["id", "member_no", "name", "name_kana", "kana_key", "phone", "email", "line_user_id", "birthday",
               "tier", "status", "merged_into", "home_store_id", "consent_marketing", "consent_at", "field_times",
               "balance", "lifetime_spend_yen", "last_visit_at", "created_at", "updated_at"]
CARD_COLS = ["member_id", "kind", "number", "key_id", "status", "created_at", "revoked_at", "migrated_at",
             "migrated_store_id"]
LEDGER_COLS = ["seq", "id", "member_id", "kind", "points", "amount_yen", "staff_id", "store_id", "terminal_id",
               "created_at", "rule_set_version", "reverses_id", "coupon_id", "card_id", "reason", "breakdown",
               "request_hash", "sync_state"]
LOT_COLS = ["id", "member_id", "entry_id", "points", "remaining", "expires_at"]
MOVE_COLS = ["entry_id", "lot_id", "points"]
OUTBOX_COLS = ["event_id", "type", "payload", "created_at", "attempts", "last_error"]
AUDIT_COLS = ["at", "staff_id", "terminal_id", "action", "object_type", "object_id", "before", "after"]


class _Pricer:
    """price_purchase through the real engine, cached on what it depends on for these rule sets
    (version, stored tier, amount, local weekday) — the member state carries nothing else that the
    default rules look at."""

    def __init__(self, rule_sets, store_id: str):
        from app.rules import MemberState, Purchase, expiry_for, price_purchase, tier_for
        from app.services.ledger import _lines

        self.rule_sets = sorted(rule_sets, key=lambda r: r.valid_from)
        if any(r.timezone != "Asia/Tokyo" for r in self.rule_sets):
            raise NotImplementedError("the generator's fast local-day arithmetic assumes Asia/Tokyo")
        self.starts = [dt_to_us(r.valid_from) for r in self.rule_sets]
        self.store_id = store_id
        self._MemberState, self._Purchase, self._price = MemberState, Purchase, price_purchase
        self._expiry_for, self._tier_for, self._lines = expiry_for, tier_for, _lines
        self._cache: dict = {}
        self._expiry: dict = {}
        self._tiers: dict = {}

    def rule_set(self, t_us: int):
        i = bisect.bisect_right(self.starts, t_us) - 1
        return self.rule_sets[max(i, 0)]

    def tier(self, rs, spend: int) -> str | None:
        # tier thresholds are few: cache on the thresholds crossed
        t = self._tier_for(rs, spend)
        return t.id if t else None

    def price(self, rs, tier: str | None, amount: int, t_us: int) -> tuple[int, str, str]:
        """(points, breakdown JSON, rule-set version). Cached per base units: only the Base line's
        label shows the amount itself, and it is put back into a cached template."""
        weekday = ((t_us + 9 * HOUR_US) // DAY_US + 3) % 7  # Asia/Tokyo (no DST); 1970-01-01 was a Thursday
        units = amount // rs.base.yen_per_unit
        hit = self._cache.get((rs.version, tier, units, weekday))
        if hit is None:
            hit = self._cache.get((rs.version, tier, units, weekday, amount))
        if hit is None:
            pricing = self._price(rs, self._MemberState(tier=tier, annual_spend_yen=0),
                                  self._Purchase(amount_yen=amount), us_to_dt(t_us), self.store_id)
            lines = self._lines(pricing)
            base = units * rs.base.points_per_unit
            if lines[0]["label"] == self._base_label(amount, base):
                lines[0]["label"] = "\x00"
                hit = (pricing.points, json.dumps(lines), pricing.rule_set_version, base)
                self._cache[(rs.version, tier, units, weekday)] = hit
            else:  # the engine's wording changed: cache per amount, no template
                hit = (pricing.points, json.dumps(lines), pricing.rule_set_version, None)
                self._cache[(rs.version, tier, units, weekday, amount)] = hit
        points, breakdown, version, base = hit
        if base is not None:
            breakdown = breakdown.replace("\\u0000", json.dumps(self._base_label(amount, base))[1:-1], 1)
        return points, breakdown, version

    @staticmethod
    def _base_label(amount: int, base: int) -> str:
        return f"Base: ¥{amount:,} → {base:,} pt"

    def expiry(self, rs, t_us: int) -> tuple[int, str]:
        local_day = (t_us + 9 * HOUR_US) // DAY_US  # Asia/Tokyo has no DST
        key = (rs.version, local_day)
        hit = self._expiry.get(key)
        if hit is None:
            exp = self._expiry_for(rs, us_to_dt(t_us))
            us = dt_to_us(exp.astimezone(timezone.utc))
            hit = (us, iso_us(us))
            self._expiry[key] = hit
        return hit


def _history_rule_set(current):
    """The rule set the store had before the shipped default (no campaign), so old entries carry
    a rule-set version the store really holds."""
    from app.rules import parse_rule_set

    body = json.loads(current.model_dump_json())
    body.update(version="2023.1", valid_from="2023-01-01T00:00:00+09:00", valid_to=body["valid_from"],
                description="Benchmark history rule set: 1 pt per ¥100 and ranks, no campaigns.", campaigns=[])
    return parse_rule_set(body)


def generate(path: Path, members: int, entries: int, *, seed: int = 1, pending_hours: float = 2.0,
             years: float = 3.0, log=None) -> dict:
    """Write a fresh database at ``path`` (and its .json sidecar). Returns the metadata."""
    from app.clock import iso
    from app.services.ledger import _EXPIRE_NS, _request_hash
    from app.services.setup import init_store
    from app.store import Store
    from app.text import kana_key

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if members < 1 or entries < 0:
        raise ValueError("need at least one member")
    started = time.perf_counter()
    cpu_started = time.process_time()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for p in (path, meta_path_for(path), partial, Path(str(partial) + "-wal"), Path(str(partial) + "-shm"),
              Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        p.unlink(missing_ok=True)

    rng = random.Random(seed)
    now_us = dt_to_us(datetime.now(timezone.utc).replace(microsecond=0))
    span_us = int(years * 365 * DAY_US)
    opened_us = now_us - span_us - 7 * DAY_US
    retention_from = now_us - 365 * DAY_US
    pending_from = now_us - int(pending_hours * HOUR_US)

    # 1. A real store: schema by Alembic, store id, signing key to the keyring, rule sets, a manager.
    store = Store.open(partial, clock=lambda: us_to_dt(opened_us))
    init_store(store, STORE_ID)
    current = store.rules.all()[0]
    with store.db.write() as s:
        store.rules.install(s, _history_rule_set(current))
    store.staff.add(None, "店長 (benchmark)", "manager", f"{_secrets.randbelow(10**8):08d}")  # PIN not kept
    rule_sets = store.rules.all()
    terminal = store.terminal_id
    store_id = store.store_id
    with store.db.read() as s:
        from app.models import SigningKey, Staff
        from sqlalchemy import select

        key_id = s.scalars(select(SigningKey.key_id).where(SigningKey.is_own.is_(True))).one()
        staff_id = s.scalars(select(Staff.id)).one()
    store.close()
    pricer = _Pricer(rule_sets, store_id)
    setup_s = time.perf_counter() - started

    # 2. Bulk load.
    from app.db import connect_raw

    con = connect_raw(partial, pragmas=False, check_same_thread=False)  # keyed (SQLCipher), autocommit
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA locking_mode=EXCLUSIVE")
    con.execute("PRAGMA threads=2")
    # Only the unique (automatic) indexes are kept while loading; the others are dropped and built
    # again at the end with their own SQL (a sort beats ~10^7 random B-tree inserts, and the
    # working set then fits the cache: this VM's page cache does not keep a 10 GB file).
    con.execute(f"PRAGMA cache_size=-{min(3_000_000, 200_000 + entries // 4)}")  # KiB
    deferred = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        "('members', 'cards', 'ledger', 'lots', 'lot_moves', 'audit_log') ORDER BY name").fetchall()
    for name, _sql in deferred:
        con.execute(f'DROP INDEX "{name}"')
    # The triggers that keep the kana search index (search_member_kana + its FTS5 table) in step
    # are dropped too: the index is filled in one pass after loading and the triggers restored.
    triggers = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
        "('members', 'search_member_kana') ORDER BY name").fetchall()
    for name, _sql in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    sql_member = _insert_sql(con, "members", MEMBER_COLS)
    sql_card = _insert_sql(con, "cards", CARD_COLS)
    sql_ledger = _insert_sql(con, "ledger", LEDGER_COLS)
    sql_lot = _insert_sql(con, "lots", LOT_COLS)
    sql_move = _insert_sql(con, "lot_moves", MOVE_COLS)
    sql_outbox = _insert_sql(con, "outbox", OUTBOX_COLS)
    sql_audit = _insert_sql(con, "audit_log", AUDIT_COLS)

    # Registration times, oldest first (member numbers are issued in that order).
    created = sorted(now_us - 60_000_000 - rng.randrange(span_us) for _ in range(members))
    n_tail = max(1, members // 100)  # the newest members: earn-only, recent, absorb the entry count
    n_normal = members - n_tail
    mean_normal = entries / members
    sigma = 1.1
    reserve = int(n_tail * mean_normal)  # left for the newest members, who absorb the exact count
    over_total = 0
    serials = rng.sample(range(1, 2**32), members)

    counts = {"ledger": 0, "lots": 0, "lot_moves": 0, "outbox": 0, "audit": 0, "cards": 0, "pending": 0,
              "kinds": {}}
    seq = 0
    lot_id = 0
    outbox_tail: list[tuple] = []  # (created_at_us, row)
    rows = {"members": [], "cards": [], "ledger": [], "lots": [], "moves": [], "audit": []}

    # The writer thread runs executemany (sqlite3 releases the GIL while it steps) while this one
    # simulates the next chunk: the two cores both work.
    batches: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def writer():
        while True:
            batch = batches.get()
            if batch is None:
                return
            if failure:
                continue
            try:
                con.execute("BEGIN")
                con.executemany(sql_member, batch["members"])
                con.executemany(sql_card, batch["cards"])
                con.executemany(sql_ledger, batch["ledger"])
                con.executemany(sql_lot, batch["lots"])
                con.executemany(sql_move, batch["moves"])
                con.executemany(sql_audit, batch["audit"])
                con.execute("COMMIT")
            except BaseException as exc:  # re-raised by the generating thread
                failure.append(exc)

    write_thread = threading.Thread(target=writer, name="gen_store-writer", daemon=True)
    write_thread.start()

    def flush():
        if failure:
            raise failure[0]
        batches.put({k: v for k, v in rows.items()})
        for k in rows:
            rows[k] = []

    def simulate(mid: str, c_us: int, budget: int, recent_only: bool, mrng: random.Random):
        """One member's history. Returns (rows..., state) without touching the shared counters."""
        nonlocal seq, lot_id
        led, lots_out, moves, audit, outbox = [], [], [], [], []
        lots: list[list] = []  # [lot_id, entry_id, points, remaining, exp_us, exp_iso]
        first_live = 0  # lots before this index are empty
        st = {"balance": 0, "lifetime": 0, "last_visit": None, "tier": None, "updated": c_us}
        window: deque = deque()  # (t_us, amount) of non-voided earns, for the annual spend
        win = [0]
        local_seq = seq
        local_lot = lot_id

        def entry(kind, points, t_us, *, amount=None, staff=staff_id, rsv=None, reverses=None, reason=None,
                  breakdown="null", rh, key=None):
            nonlocal local_seq
            local_seq += 1
            key = key or _uuid4(mrng)
            at = iso_us(t_us)
            pending = t_us >= pending_from
            led.append((local_seq, key, mid, kind, points, amount, staff, store_id, terminal, at, rsv, reverses,
                        None, None, reason, breakdown, rh, "pending" if pending else "acked"))
            st["balance"] += points
            st["updated"] = t_us
            if pending:
                outbox.append((t_us, (key, f"ledger.{kind}", json.dumps({
                    "entry_id": key, "kind": kind, "member_id": mid, "points": points, "amount_yen": amount,
                    "staff_id": staff, "store_id": store_id, "terminal_id": terminal, "created_at": at,
                    "rule_set_version": rsv, "reverses_id": reverses, "coupon_id": None, "reason": reason}),
                    at, 0, None)))
            if t_us >= retention_from:
                audit.append((at, staff, terminal, f"ledger.{kind}", "ledger", key, "null",
                              f'{{"member_id": "{mid}", "points": {points}, "amount_yen": {_j(amount)}, '
                              f'"reverses_id": {_j(reverses)}, "reason": {_j(reason)}}}'))
            return key

        def credit(key, points, t_us, rs):
            nonlocal local_lot
            if points <= 0:
                return None
            local_lot += 1
            exp_us, exp_iso = pricer.expiry(rs, t_us)
            lot = [local_lot, key, points, points, exp_us, exp_iso]
            lots.append(lot)
            moves.append((key, local_lot, points))
            return lot

        def expire_due(t_us):
            nonlocal first_live
            count = 0
            while first_live < len(lots) and lots[first_live][4] < t_us:
                lot = lots[first_live]
                first_live += 1
                if lot[3] > 0:
                    amount = lot[3]
                    key = str(uuid.uuid5(_EXPIRE_NS, f"{lot[1]}:0"))
                    entry("expire", -amount, lot[4] + 1, staff=None, key=key,
                          rh=_rh(f'["expire", "{lot[1]}", 0]'), reason=f"expired {lot[5]}")
                    lot[3] = 0
                    moves.append((key, lot[0], -amount))
                    count += 1
            return count

        def visit_time(lo_us, hi_us):
            u = lo_us + mrng.randrange(max(1, hi_us - lo_us))
            day, _ = divmod(u + 9 * HOUR_US, DAY_US)  # shop hours 10:00-21:00 JST
            t = day * DAY_US - 9 * HOUR_US + 10 * HOUR_US + mrng.randrange(11 * HOUR_US)
            return min(max(t, lo_us + 60_000_000), hi_us - 1_000_000)

        n_entries = 0
        if budget > 0:
            lo = max(c_us, now_us - 300 * DAY_US) if recent_only else c_us
            times = sorted(visit_time(lo, now_us) for _ in range(budget))
            times[0] = min(times[0], c_us + 90_000_000, now_us - 1_000_000)  # first purchase at registration
            times.sort()
            for i, t in enumerate(times):
                if n_entries >= budget:
                    break
                n_entries += expire_due(t)
                if n_entries >= budget:
                    break
                rs = pricer.rule_set(t)
                nxt = times[i + 1] if i + 1 < len(times) else now_us
                r = mrng.random()
                if not recent_only and r < 0.10 and st["balance"] >= 100:
                    points = min(st["balance"], mrng.randint(1, max(1, st["balance"] // 100)) * 100)
                    bill = points + mrng.randrange(0, 5000)
                    key = entry("redeem", -points, t, amount=bill, rsv=rs.version,
                                rh=_rh(f'["redeem", "{mid}", {points}, {bill}]'),
                                breakdown=json.dumps([{"label": f"{points:,} pt = ¥{points:,}", "kind": "redeem",
                                                       "points": -points, "factor": None, "rule_id": None}]))
                    n_entries += 1
                    taken = []
                    left = points
                    for lot in lots[first_live:]:
                        if lot[3] == 0:
                            continue
                        take = min(left, lot[3])
                        lot[3] -= take
                        moves.append((key, lot[0], -take))
                        taken.append((lot, take))
                        left -= take
                        if left == 0:
                            break
                    assert left == 0, "balance and lots disagree"
                    tv = t + mrng.randrange(60_000_000, 900_000_000)
                    if mrng.random() < 0.01 and n_entries < budget and tv < min(nxt, now_us):
                        vkey = entry("void", points, tv, amount=bill, rsv=rs.version, reverses=key,
                                     rh=_rh(f'["void", "{key}"]'))
                        for lot, take in taken:
                            lot[3] += take
                            moves.append((vkey, lot[0], take))
                        n_entries += 1
                    continue
                if not recent_only and 0.10 <= r < 0.1015:
                    points = mrng.choice((100, 200, 300, 500))
                    reason = "お詫びポイント (benchmark)"
                    key = entry("adjust", points, t, rsv=rs.version, reason=reason,
                                rh=_request_hash("adjust", mid, points, reason))
                    credit(key, points, t, rs)
                    n_entries += 1
                    continue
                # earn
                while window and window[0][0] < t - 365 * DAY_US:
                    win[0] -= window.popleft()[1]
                amount = int(min(200_000, max(50, mrng.lognormvariate(7.3, 0.85))))
                tier = pricer.tier(rs, win[0])
                points, breakdown, rsv = pricer.price(rs, tier, amount, t)
                key = entry("earn", points, t, amount=amount, rsv=rsv, breakdown=breakdown,
                            rh=_rh(f'["earn", "{mid}", {amount}]'))
                lot = credit(key, points, t, rs)
                window.append((t, amount))
                win[0] += amount
                st["lifetime"] += amount
                st["last_visit"] = t
                st["tier"] = pricer.tier(rs, win[0])
                n_entries += 1
                tv = t + mrng.randrange(60_000_000, 1_200_000_000)
                if not recent_only and mrng.random() < 0.01 and n_entries < budget and tv < min(nxt, now_us):
                    vkey = entry("void", -points, tv, amount=amount, rsv=rsv, reverses=key,
                                 rh=_rh(f'["void", "{key}"]'))
                    if lot is not None:
                        lot[3] = 0
                        moves.append((vkey, lot[0], -points))
                    window.pop()
                    win[0] -= amount
                    st["lifetime"] -= amount
                    n_entries += 1
        if not recent_only:
            expire_due(now_us)  # what the nightly job has done by now
        for lot in lots:
            lots_out.append((lot[0], mid, lot[1], lot[2], lot[3], lot[5]))
        return led, lots_out, moves, audit, outbox, st, local_seq, local_lot

    gen_started = time.perf_counter()
    last_log = gen_started
    chunk = 20_000
    total_ledger = 0
    for i in range(members):
        c_us = created[i]
        mid = _uuid4(rng)
        member_no = _luhn_member_no(store_id, i + 1)
        fam, fam_kanji = _family(rng)
        giv, giv_kanji = _given(rng)
        style = rng.random()
        if style < 0.82:
            name_kana = f"{fam} {giv}"
        elif style < 0.94:
            name_kana = fam + giv
        else:
            name_kana = _hiragana(f"{fam} {giv}")
        name = f"{fam_kanji} {giv_kanji}" if fam_kanji and giv_kanji and rng.random() < 0.5 else None
        phone = None
        if rng.random() < 0.85:
            phone = rng.choice(("090", "090", "090", "080", "080", "070")) + f"{rng.randrange(10**8):08d}"
        email = None
        if rng.random() < 0.25:
            user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 10)))
            email = f"{user}{rng.randrange(100)}@{rng.choice(_MAIL_DOMAINS)}"
        birthday = None
        if rng.random() < 0.6:
            birthday = (date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))).isoformat()
        consent = rng.random() < 0.55
        line_user_id = ("U" + f"{rng.getrandbits(128):032x}") if rng.random() < 0.2 else None

        # entries for this member
        recent_only = i >= n_normal
        if recent_only:
            tail_left = n_tail - (i - n_normal)
            budget = max(0, (entries - total_ledger) // tail_left)
        else:
            # Aim at what is left for the normal members still to come, less the expiries that the
            # simulation writes beyond a member's budget (lots older than a year at the end).
            left = entries - total_ledger - reserve
            over_avg = over_total / i if i else 0.0
            mean_i = max(0.3, left / (n_normal - i) - over_avg)
            budget = int(rng.lognormvariate(math.log(mean_i) - sigma * sigma / 2, sigma) + 0.5) if entries else 0
            budget = max(0, min(budget, left))
        mseed = rng.getrandbits(64)
        while True:
            mrng = random.Random(mseed)
            out = simulate(mid, c_us, budget, recent_only, mrng)
            allowance = entries - total_ledger - (0 if recent_only else reserve)
            if len(out[0]) <= max(allowance, 0) or budget == 0:
                break
            budget -= 1
        led, lots_rows, moves, audit, outbox, st, seq, lot_id = out
        if recent_only and len(led) != budget:
            raise AssertionError("tail member did not realise its budget")
        total_ledger += len(led)
        if not recent_only:
            over_total += len(led) - budget

        at = iso_us(c_us)
        fields = {"name_kana": name_kana, "name": name, "phone": phone, "email": email, "birthday": birthday,
                  "consent_marketing": consent}
        field_times = {k: at for k in fields}
        rows["members"].append((
            mid, member_no, name, name_kana, kana_key(name_kana), phone, email, line_user_id, birthday,
            st["tier"], "active", None, store_id, 1 if consent else 0, at if consent else None,
            json.dumps(field_times), st["balance"], st["lifetime"],
            iso_us(st["last_visit"]) if st["last_visit"] else None, at, iso_us(st["updated"])))
        rows["cards"].append((mid, "member_code", f"{key_id}:{serials[i]}", key_id, "active", at, None, None, None))
        if i < n_normal // 2 and rng.random() < 0.05:  # a migrated paper point card from before
            rows["cards"].append((mid, "paper", f"29{i + 1:011d}", None, "active", at, None, at, store_id))
            counts["cards"] += 1
        if c_us >= retention_from:
            rows["audit"].append((at, staff_id, terminal, "member.register", "member", mid, "null",
                                  json.dumps({"member_no": member_no, "consent_marketing": consent})))
        if c_us >= pending_from:
            outbox_tail.append((c_us, (_uuid4(rng), "member.upsert", json.dumps({
                "member_id": mid, "member_no": member_no, "home_store_id": store_id, "fields": fields,
                "field_times": field_times}), at, 0, None)))
        rows["ledger"].extend(led)
        rows["lots"].extend(lots_rows)
        rows["moves"].extend(moves)
        rows["audit"].extend(audit)
        outbox_tail.extend(outbox)
        counts["lots"] += len(lots_rows)
        counts["lot_moves"] += len(moves)
        counts["audit"] += len(audit) + (1 if c_us >= retention_from else 0)
        counts["cards"] += 1
        for e in led:
            counts["kinds"][e[3]] = counts["kinds"].get(e[3], 0) + 1
        if (i + 1) % chunk == 0:
            flush()
            t = time.perf_counter()
            if t - last_log > 15:
                last_log = t
                log(f"gen_store: {i + 1:,}/{members:,} members, {total_ledger:,} entries, "
                    f"{t - started:,.0f} s")
    flush()
    batches.put(None)
    write_thread.join()
    if failure:
        raise failure[0]
    if total_ledger != entries:
        raise AssertionError(f"generated {total_ledger} entries, wanted {entries}")
    counts["ledger"] = total_ledger

    # 3. The unsynced tail of the outbox, in time order, and the member number sequence.
    outbox_tail.sort(key=lambda r: r[0])
    con.execute("BEGIN")
    con.executemany(sql_outbox, [r for _, r in outbox_tail])
    con.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('member_seq', ?)", (str(members),))
    con.execute("COMMIT")
    counts["outbox"] = len(outbox_tail)
    counts["pending"] = sum(1 for _, r in outbox_tail if r[1].startswith("ledger."))
    load_s = time.perf_counter() - gen_started
    t_index = time.perf_counter()
    for name, sql in deferred:
        log(f"gen_store: building index {name}")
        con.execute(sql)
    if triggers:
        log("gen_store: building the kana search index")
        con.execute("BEGIN")
        con.execute("DELETE FROM search_member_kana")
        con.execute("INSERT INTO search_member_kana (member_id, kana_key) SELECT id, kana_key FROM members "
                    "ORDER BY rowid")
        con.execute("INSERT INTO search_member_kana_fts (search_member_kana_fts) VALUES ('rebuild')")
        for _name, sql in triggers:
            con.execute(sql)
        con.execute("COMMIT")
    index_s = time.perf_counter() - t_index
    con.execute("PRAGMA locking_mode=NORMAL")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    os.replace(partial, path)
    for p in (Path(str(partial) + "-wal"), Path(str(partial) + "-shm")):
        p.unlink(missing_ok=True)
    elapsed = time.perf_counter() - started
    meta = _params(members, entries, seed, pending_hours) | {
        "schema_head": file_schema(path),  # the file's own stamp (the checkout may have moved on meanwhile)
        "complete": True, "generated_at": iso(datetime.now(timezone.utc)), "now": iso_us(now_us),
        "generation_s": round(elapsed, 1), "generation_cpu_s": round(time.process_time() - cpu_started, 1),
        "setup_s": round(setup_s, 1), "load_s": round(load_s, 1), "index_s": round(index_s, 1),
        "size_bytes": path.stat().st_size, "counts": counts, "key_id": key_id, "staff_id": staff_id,
        "sqlite": _sqlite_version(),
    }
    meta_path_for(path).write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    log(f"gen_store: {path} — {members:,} members, {entries:,} entries in {elapsed:,.1f} s "
        f"({path.stat().st_size / 1e6:,.0f} MB)")
    return meta


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.gen_store", description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="database path (default: $TSUMUGI_BENCH_DIR or benchmarks/out/)")
    ap.add_argument("--force", action="store_true", help="regenerate even when a matching cached file exists")
    args = ap.parse_args(argv)
    install_memory_keyring()
    g = ensure_store(args.members, args.entries, seed=args.seed, path=args.out, force=args.force)
    print(json.dumps({"path": str(g.path), "cached": g.cached, **{k: g.meta.get(k) for k in (
        "members", "entries", "generation_s", "size_bytes", "counts")}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
