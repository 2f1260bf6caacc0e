"""What every part of the demo shares: the constants, the small generators of valid
identifiers, and the context (`Ctx`) of one run: its random generator, its markets,
stalls and officers, and the writer the rows go to."""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from inspector_app.core import settings
from inspector_app.core.demo.bulk import Writer, canon_time
from inspector_app.core.demo.vocabulary import (
    CITY_AREAS,
    GIVEN,
    HOME_AREAS,
    MOBILE_PREFIXES,
    PROFILE_KEYWORDS,
    SURNAMES,
)
from inspector_app.core.seizure import numbering
from inspector_app.core.validation import (
    credit_code_check_char,
    gtin13_check_digit,
    id_number_check_char,
)

DEMO_PASSWORD = "demo1234"  # of the demo team
DOC_SEGMENT = "DEMO"  # how the document-number segment of demo seizures starts
OFFSET = 480  # minutes east of UTC: the demo device runs on China Standard Time
LOCAL = timezone(timedelta(minutes=OFFSET))
DAYS = 730  # records are spread over this many days before today
CHUNK = 5000  # top-level records per executemany round
# Fraction of the worklog slots (market x day) a run may fill; more markets are added
# when the requested number of logs does not fit (one log per market and day).
SLOT_FILL = 0.7
_SEGMENT_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def id_key(device: str, chain: tuple[int, str | None], seed: int) -> int:
    """What makes this run's record ids its own: 128 bits from the device id and the
    store's audit chain so far (which differ between devices, and between runs on one
    store). The same device, store state and seed give the same ids."""
    text = f"{device}\n{chain[0]}\n{chain[1]}\n{seed}"
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


def _device_hash(device: str) -> int:
    return int.from_bytes(hashlib.sha256(device.encode("utf-8")).digest()[:8], "big")


def doc_segment(device: str) -> str:
    """The document-number segment of the bulk demo seizures of this device: DEMO and
    four characters of the device id's hash, so two demo devices do not share numbers."""
    n, tail = _device_hash(device), ""
    for _i in range(4):
        n, r = divmod(n, len(_SEGMENT_CHARS))
        tail += _SEGMENT_CHARS[r]
    return DOC_SEGMENT + tail


def device_segment(device: str) -> str:
    """The number segment a demo device gives itself (see `seizure.numbering`): six digits
    of the device id's hash, for the same reason."""
    return f"{_device_hash(device) % 10**6:06d}"


def pick(rnd: Callable[[], float], seq):
    return seq[int(rnd() * len(seq))]


def between(rnd: Callable[[], float], lo: int, hi: int) -> int:
    """An integer from lo to hi inclusive."""
    return lo + int(rnd() * (hi - lo + 1))


# --- small generators -------------------------------------------------------------------


_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_SET = (0x8000 << 48) | (4 << 76)


def new_uuid(rng: random.Random, key: int = 0) -> str:
    """str(uuid.UUID(int=rng.getrandbits(128) ^ key, version=4)), without making the
    object. The key (see `id_key`) sets the ids of one store apart from another's."""
    h = f"{(rng.getrandbits(128) ^ key) & _UUID_CLEAR | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 11714 characters also valid in GB 32100
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(rng: random.Random) -> str:
    """A 9-character organization code (GB 11714) with a valid check character."""
    if rng.random() < 0.6:  # newer registrations: MA + 6 characters
        body = "MA" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(6))
    else:
        body = f"{rng.randrange(10**8):08d}"
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(rng: random.Random, org_type: str) -> str:
    first17 = "9" + org_type + rng.choice(CITY_AREAS) + _org_code(rng)
    return first17 + credit_code_check_char(first17)


def make_id_number(rng: random.Random, today: date) -> str:
    birth = date(rng.randint(1958, today.year - 20), rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"{rng.choice(HOME_AREAS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_number_check_char(first17)


def gtin(rng: random.Random) -> str:
    first12 = f"69{rng.randrange(10**10):010d}"
    return first12 + gtin13_check_digit(first12)


def profile_of(name: str) -> str:
    for word, profile in PROFILE_KEYWORDS:
        if word in name:
            return profile
    return "food"


def audited(rid: str, at: datetime, device: str, author: str | None) -> dict[str, Any]:
    stored = canon_time(at)
    return {"id": rid, "version": 1, "created_at": stored, "created_offset": OFFSET,
            "updated_at": stored, "updated_offset": OFFSET, "device_id": device,
            "author_id": author}


# --- context ----------------------------------------------------------------------------


@dataclass
class MarketRef:
    id: str
    name: str
    address: str
    profile: str
    code: str = ""  # in its workstation's instrument serial numbers
    station_id: str | None = None  # its workstation
    instruments: dict[str, str] = field(default_factory=dict)  # test item -> number
    # test item -> the batches' last days and first days (ordinals), and their numbers,
    # ascending by last day
    reagents: dict[str, tuple[list[int], list[int], list[str]]] = field(default_factory=dict)
    keep_closed: bool = False  # the workstation the worklog page shows: no shift left open

    def reagent(self, item: str, day: int, roll: float) -> str:
        """The batch a test of `item` on the ordinal `day` used: the usable one that
        expires first (as the entry form proposes), or, by `roll`, a newer one already
        there; "" when the station keeps no batch of the item for that day."""
        found = self.reagents.get(item)
        if not found:
            return ""
        last, first, numbers = found
        at = bisect_left(last, day)
        if at >= len(numbers):
            return ""
        if roll < 0.5 and at + 1 < len(numbers) and first[at + 1] <= day:
            at += 1
        return numbers[at]


@dataclass
class StallRef:
    id: str
    market: MarketRef
    number: str
    party_id: str | None
    party_name: str
    rep: str  # legal representative / person in charge of the party
    business: str
    categories: tuple[str, ...]
    tests: tuple[str, ...]


@dataclass
class OfficerRef:
    id: str
    name: str
    cert_no: str
    role: str


@dataclass(frozen=True)
class SignatureFiles:
    """A signature's PNG and stroke data, as files of the store: SHA-256 and size."""

    png_sha256: str
    png_size: int
    strokes_sha256: str
    strokes_size: int


@dataclass
class Ctx:
    rng: random.Random
    rnd: Callable[[], float]  # rng.random
    now: datetime
    today: date  # local
    device: str
    actor_author: str | None  # the actor's inspector, when an actor was given
    use_actor: bool
    writer: Writer
    id_key: int = 0  # see `id_key`
    doc_segment: str = DOC_SEGMENT
    markets: list[MarketRef] = field(default_factory=list)
    stalls: list[StallRef] = field(default_factory=list)
    checkable: list[StallRef] = field(default_factory=list)
    stalls_by_market: dict[str, list[StallRef]] = field(default_factory=dict)
    officers: list[OfficerRef] = field(default_factory=list)
    operators: list[OfficerRef] = field(default_factory=list)
    approver: str = ""  # who approves extensions and emergency measures
    contact_phone: str = ""
    abbr: str = "示例"
    pattern: str = settings.DOC_NUMBER_PATTERN.default
    doc_seq: dict[int, int] = field(default_factory=dict)  # last number given, by year
    seq_base: int = 0  # where numbers of a year not in doc_seq go on from
    ledger: bool = False  # the store has seizure_doc_numbers
    day_start: list[datetime] = field(default_factory=list)  # local midnight, as UTC
    # The signature files in the store (see `printable.setup_signatures`): each officer's,
    # by inspector id, and a few for the parties and witnesses to share.
    officer_signatures: dict[str, SignatureFiles] = field(default_factory=dict)
    # What the signatures draw (attachment ids, times, witnesses of refusals): a stream of
    # its own, so they do not shift the rest of the data.
    sign_rng: random.Random = field(default_factory=random.Random)
    signature_pool: list[SignatureFiles] = field(default_factory=list)
    _test_stalls: dict[tuple[str, str], list[StallRef]] = field(default_factory=dict)

    def test_stalls(self, market: MarketRef, group: str) -> list[StallRef]:
        """The market's stalls selling what the rapid-test group tests (or all of them)."""
        key = (market.id, group)
        found = self._test_stalls.get(key)
        if found is None:
            every = self.stalls_by_market.get(market.id, [])
            found = [s for s in every if group in s.tests] or every
            self._test_stalls[key] = found
        return found

    def new_id(self) -> str:
        return new_uuid(self.rng, self.id_key)

    def author(self, inspector_id: str | None) -> str | None:
        return self.actor_author if self.use_actor else inspector_id

    def at(self, day: int, seconds: int) -> datetime:
        """`seconds` after local midnight, `day` days before today, as an aware UTC time."""
        return self.day_start[day] + timedelta(seconds=seconds)

    def local_date(self, day: int) -> date:
        return self.today - timedelta(days=day)

    def doc_number(self, seizure_id: str, moment: datetime) -> str:
        """The decision number of a seizure issued at `moment`, as `numbering` makes it.

        Demo numbers use their own segment, so they never take a number this or another
        device gives out; they go into the ledger of numbers where this schema has one.
        """
        year = moment.astimezone(LOCAL).year
        n = self.doc_seq.get(year, self.seq_base) + 1
        self.doc_seq[year] = n
        fields = numbering.number_fields(self.abbr, year, self.doc_segment, n)
        try:
            number = self.pattern.format(**fields)
        except (KeyError, IndexError, ValueError):
            number = settings.DOC_NUMBER_PATTERN.default.format(**fields)
        if self.ledger:
            self.writer.rows["seizure_doc_numbers"].append(
                {"number": number, "segment": self.doc_segment, "year": year, "seq": n,
                 "kind": "decision", "seizure_id": seizure_id, "allocated_at": canon_time(moment)})
        return number

