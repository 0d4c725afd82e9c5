"""Detectors for personal data in text: phone numbers, emails, addresses, birthdates, ID and
card numbers (checksums checked), licence plates, booking codes, boarding passes,
coordinates, check-ins and IP addresses.

Each detector is a cheap regular expression that proposes candidates and a validation step
that rejects look-alikes (an order number failing the Luhn check, a version string that no
phone numbering plan allows, a private router address).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

DIGIT_RE = re.compile(r"\d")
# Seven or more characters of digits and separators: the least any number detector needs.
NUMBER_RUN_RE = re.compile(r"\d[\d ().\-/:+A-Z]{5,}\d")
LOWER_WORDS_RE = re.compile(r"[a-z]+")
STREET_WORDS = frozenset(
    [
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "boulevard",
        "blvd",
        "lane",
        "ln",
        "drive",
        "dr",
        "court",
        "ct",
        "place",
        "pl",
        "way",
        "terrace",
        "ter",
        "circle",
        "cir",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "close",
        "crescent",
        "cres",
        "square",
        "sq",
        "gardens",
        "grove",
        "mews",
        "row",
        "walk",
        "trail",
        "pike",
    ]
)
BIRTH_WORDS = frozenset({"born", "birthday", "bday", "b", "dob", "birth", "birthdate"})
PLATE_WORDS = frozenset({"plate", "plates", "reg", "registration", "tag"})
BOOKING_WORDS = frozenset({"confirmation", "booking", "reservation", "locator", "pnr", "ticket"})
BOARDING_WORDS = frozenset({"boarding", "seat", "gate"})
# add(kind, start, end, shown, key): record a hit unless an earlier one claimed the span
_Add = Callable[[str, int, int, str, str], None]


@dataclass(frozen=True, slots=True)
class PiiHit:
    kind: str
    start: int
    end: int
    shown: str  # what evidence may display (card and ID numbers are masked)
    key: str  # canonical value, to compare with the person's own identifiers


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_brand_ok(digits: str) -> bool:
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649 or two == 62:
        return 16 <= n <= 19
    if two == 35 or two in (36, 38, 30):
        return 14 <= n <= 19
    return False


def mask(value: str, keep: int = 4) -> str:
    digits = [c for c in value if c.isalnum()]
    return "•" * max(0, len(digits) - keep) + "".join(digits[-keep:])


EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
CARD_RE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
SSN_RE = re.compile(r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])")
SSN_CONTEXT_RE = re.compile(r"\b(?:ssn|social security)\b[^\d\n]{0,20}(\d{9})\b", re.I)
NINO_RE = re.compile(r"\b([A-Z]{2})\s?(\d{2})\s?(\d{2})\s?(\d{2})\s?([A-D])\b")
NINO_CONTEXT_RE = re.compile(r"\b(?:ni|nino|national insurance)\b", re.I)
IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b")
PHONE_RE = re.compile(r"(?<![\w/#.+-])\+?\(?\d[\d ().\-]{5,18}\d(?![\w/]|[.-]\d)")
STREET_SUFFIX = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|way|"
    r"terrace|ter|circle|cir|parkway|pkwy|highway|hwy|close|crescent|cres|square|sq|"
    r"gardens|grove|mews|row|walk|trail|pike"
)
STREET_RE = re.compile(
    rf"(?<![\w#-])(\d{{1,6}}[a-z]?)\s+((?:[nsew]\.?\s+)?(?:[a-z][\w'.-]*\s+){{1,3}})"
    rf"({STREET_SUFFIX})\b\.?",
    re.I,
)
# Words that show "5 pm on the way" is not "5 Pm On The Way".
STREET_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "in",
        "at",
        "to",
        "of",
        "and",
        "or",
        "for",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "pm",
        "am",
        "min",
        "mins",
        "minutes",
        "hours",
        "hrs",
        "days",
        "weeks",
        "miles",
        "km",
        "times",
        "people",
        "more",
        "all",
        "way",
    ]
)
POSTCODE_RE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b")
MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
DATE = (
    rf"(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\.?(?:,?\s+(?:19|20)\d\d)?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d\d)"
)
BIRTH_RE = re.compile(
    rf"\b(?:born(?:\s+on)?|birthday(?:\s+is)?|b-?day(?:\s+is)?|dob|date\s+of\s+birth|birthdate)"
    rf"\b[\s:,-]{{0,3}}(?:is\s+|was\s+|on\s+|=\s*)?({DATE})",
    re.I,
)
PLATE_RE = re.compile(
    r"\b(?:licen[cs]e\s+plate|number\s+plate|plate|plates|reg(?:istration)?|tag)"
    r"(?:\s+(?:is|number|no\.?|reads|says|was))*\s*[:#-]?\s*([a-z0-9]{1,4}[ -]?[a-z0-9]{2,5})\b",
    re.I,
)
BOOKING_RE = re.compile(
    r"\b(?:confirmation|booking|reservation|record\s+locator|pnr|ticket)"
    r"(?:\s+(?:code|number|no\.?|ref(?:erence)?|#|is|id))*\s*[:#-]?\s*([A-Z0-9]{5,8})\b",
    re.I,
)
BCBP_RE = re.compile(r"\bM1[A-Z/]{2,20}\s+E?[A-Z0-9]{6,7}\s+[A-Z]{6}[A-Z0-9]{2}\s?\d{3,4}")
FLIGHT_RE = re.compile(r"\b(?:[A-Z]{2}|[A-Z]\d|\d[A-Z])\s?\d{1,4}\b")
BOARDING_RE = re.compile(
    r"\bboarding\s+pass\b|\bseat\s+\d{1,2}[a-k]\b|\bgate\s+[a-z]?\d{1,3}\b", re.I
)
COORD_RE = re.compile(r"(?<![\d.])(-?\d{1,2}\.\d{4,})\s*,\s*(-?\d{1,3}\.\d{4,})(?![\d.])")
CHECKIN_RE = re.compile(
    r"\b[Ii]['\u2019]?m at ([A-Z0-9][\w'\u2019&.-]*(?: (?:[A-Z0-9&][\w'\u2019&.-]*|of|the|on|de))*)"
)
IPV4_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", re.I)
_PRIVATE_NETS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "224.0.0.0/3",
        "::1/128",
        "fe80::/10",
        "fc00::/7",
    )
]


def _public_ip(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if any(address in net for net in _PRIVATE_NETS if net.version == address.version):
        return None
    return str(address)


def _iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


class PiiDetector:
    def __init__(self, kinds: set[str], regions: tuple[str, ...]) -> None:
        self.kinds = kinds
        self.regions = regions or ("US",)

    def find(self, text: str) -> list[PiiHit]:
        hits: list[PiiHit] = []
        claimed: list[tuple[int, int]] = []
        kinds = self.kinds

        def add(kind: str, start: int, end: int, shown: str, key: str) -> None:
            if any(a < end and start < b for a, b in claimed):
                return
            claimed.append((start, end))
            hits.append(PiiHit(kind, start, end, shown, key))

        if "@" in text and "email" in kinds:
            for m in EMAIL_RE.finditer(text):
                add("email", m.start(), m.end(), m.group(), m.group().lower())
        if DIGIT_RE.search(text) is None:
            if "checkin" in kinds and "m at " in text:
                self._checkins(text, add)
            return self._sorted(hits)
        words = set(LOWER_WORDS_RE.findall(text.lower()))
        if "boarding_pass" in kinds and "M1" in text:
            for m in BCBP_RE.finditer(text):
                add("boarding_pass", m.start(), m.end(), mask(m.group(), 6), m.group())
        if NUMBER_RUN_RE.search(text):
            self._numbers(text, add)
        self._words(text, add, words)
        return self._sorted(hits)

    @staticmethod
    def _sorted(hits: list[PiiHit]) -> list[PiiHit]:
        hits.sort(key=lambda h: h.start)
        return hits

    def _checkins(self, text: str, add: _Add) -> None:
        for m in CHECKIN_RE.finditer(text):
            add("checkin", m.start(), m.end(), m.group(), m.group(1).lower())

    def _numbers(self, text: str, add: _Add) -> None:
        kinds = self.kinds
        if "coordinates" in kinds:
            for m in COORD_RE.finditer(text):
                lat, lon = float(m.group(1)), float(m.group(2))
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    add("coordinates", m.start(), m.end(), m.group(), f"{lat},{lon}")
        if "ip_address" in kinds:
            for m in IPV4_RE.finditer(text):
                key = _public_ip(m.group())
                if key:
                    add("ip_address", m.start(), m.end(), m.group(), key)
            if "::" in text or text.count(":") >= 4:
                for m in IPV6_RE.finditer(text):
                    key = _public_ip(m.group())
                    if key and ":" in key:
                        add("ip_address", m.start(), m.end(), m.group(), key)
        if "card_number" in kinds:
            for m in CARD_RE.finditer(text):
                digits = re.sub(r"\D", "", m.group())
                if luhn_valid(digits) and _card_brand_ok(digits):
                    add("card_number", m.start(), m.end(), mask(digits), digits)
        if "iban" in kinds:
            for m in IBAN_RE.finditer(text):
                if _iban_valid(m.group(1)):
                    add("iban", m.start(), m.end(), mask(m.group(1)), m.group(1).replace(" ", ""))
        if "us_ssn" in kinds:
            for m in SSN_RE.finditer(text):
                area, group, serial = m.groups()
                if (
                    area not in ("000", "666")
                    and area[0] != "9"
                    and group != "00"
                    and serial != "0000"
                ):
                    add("us_ssn", m.start(), m.end(), mask(m.group()), "".join(m.groups()))
            for m in SSN_CONTEXT_RE.finditer(text):
                add("us_ssn", m.start(1), m.end(1), mask(m.group(1)), m.group(1))
        if "uk_nino" in kinds:
            for m in NINO_RE.finditer(text):
                prefix = m.group(1)
                valid = (
                    prefix[0] not in "DFIQUV"
                    and prefix[1] not in "DFIOQUV"
                    and prefix not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ")
                )
                nearby = text[max(0, m.start() - 40) : m.start()]
                if valid or NINO_CONTEXT_RE.search(nearby):
                    add("uk_nino", m.start(), m.end(), mask(m.group()), "".join(m.groups()))
        if "phone" in kinds:
            self._phones(text, add)

    def _streets(self, text: str, add: _Add) -> None:
        for m in STREET_RE.finditer(text):
            words = m.group(2).lower().split()
            if any(w.strip(".") in STREET_STOP for w in words):
                continue
            if m.group(0).islower() and m.group(3).lower() in (
                "way",
                "place",
                "pl",
                "row",
                "walk",
                "close",
                "court",
                "ct",
                "square",
                "sq",
                "circle",
                "cir",
                "trail",
                "pike",
            ):
                continue
            add("street_address", m.start(), m.end(), m.group(), m.group().lower())

    def _phones(self, text: str, add: _Add) -> None:
        for m in PHONE_RE.finditer(text):
            candidate = m.group().strip("() ")
            digits = sum(c.isdigit() for c in candidate)
            if not 7 <= digits <= 15:
                continue
            # Dates and times are not phone numbers, whatever a numbering plan allows.
            if re.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", candidate):
                continue
            if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", candidate):
                continue  # an IP address (a private one, or it would have been claimed)
            number = None
            for region in self.regions:
                try:
                    parsed = phonenumbers.parse(candidate, region)
                except phonenumbers.NumberParseException:
                    continue
                if phonenumbers.is_valid_number(parsed):
                    number = parsed
                    break
            if number is None:
                continue
            key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            add("phone", m.start(), m.end(), m.group().strip(), key)

    def _words(self, text: str, add: _Add, words: set[str]) -> None:
        """Detectors keyed by a word ("born", "plate", "booking"...) in a text with digits."""
        kinds = self.kinds
        if "street_address" in kinds and not STREET_WORDS.isdisjoint(words):
            self._streets(text, add)
        if "birthdate" in kinds and not BIRTH_WORDS.isdisjoint(words):
            for m in BIRTH_RE.finditer(text):
                add("birthdate", m.start(), m.end(), m.group(), m.group(1).lower())
        if "postcode" in kinds:
            for m in POSTCODE_RE.finditer(text):
                add("postcode", m.start(), m.end(), m.group(), m.group().replace(" ", ""))
        if "licence_plate" in kinds and not PLATE_WORDS.isdisjoint(words):
            for m in PLATE_RE.finditer(text):
                value = m.group(1)
                if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
                    add("licence_plate", m.start(1), m.end(1), value, value.upper())
        if "booking_code" in kinds and not BOOKING_WORDS.isdisjoint(words):
            for m in BOOKING_RE.finditer(text):
                code = m.group(1)
                if code.isupper() or (
                    any(c.isdigit() for c in code) and any(c.isalpha() for c in code)
                ):
                    add("booking_code", m.start(1), m.end(1), mask(code, 2), code.upper())
        if (
            "boarding_pass" in kinds
            and not BOARDING_WORDS.isdisjoint(words)
            and BOARDING_RE.search(text)
        ):
            flight = FLIGHT_RE.search(text)
            if flight:
                add("boarding_pass", flight.start(), flight.end(), flight.group(), flight.group())
        if "checkin" in kinds and "m at " in text:
            self._checkins(text, add)
