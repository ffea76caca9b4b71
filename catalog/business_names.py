"""Business-name suggestions from technical names.

``film_category`` → "Film Category", ``category_id`` → "Category ID", ``custOrderDt`` →
"Customer Order Date". Names are split on underscores, hyphens, spaces, case changes and
digits (letters of any script); common abbreviations are expanded; the rest is
title-cased.
"""

import functools
import re

ABBREVIATIONS = {
    "id": "ID",
    "ids": "IDs",
    "uuid": "UUID",
    "url": "URL",
    "uri": "URI",
    "ip": "IP",
    "api": "API",
    "sku": "SKU",
    "qty": "Quantity",
    "amt": "Amount",
    "dt": "Date",
    "ts": "Timestamp",
    "tm": "Time",
    "num": "Number",
    "no": "Number",
    "nbr": "Number",
    "desc": "Description",
    "descr": "Description",
    "cust": "Customer",
    "acct": "Account",
    "addr": "Address",
    "avg": "Average",
    "cat": "Category",
    "cnt": "Count",
    "ccy": "Currency",
    "curr": "Currency",
    "dept": "Department",
    "dob": "Date of Birth",
    "emp": "Employee",
    "fk": "Foreign Key",
    "pk": "Primary Key",
    "img": "Image",
    "info": "Information",
    "max": "Maximum",
    "min": "Minimum",
    "mgr": "Manager",
    "msg": "Message",
    "org": "Organization",
    "pct": "Percent",
    "prod": "Product",
    "pwd": "Password",
    "ref": "Reference",
    "src": "Source",
    "std": "Standard",
    "tmp": "Temporary",
    "txn": "Transaction",
    "usr": "User",
    "yr": "Year",
    "mth": "Month",
    "wk": "Week",
    "utc": "UTC",
    "usd": "USD",
    "eur": "EUR",
}

_SEPARATORS = re.compile(r"[\W_]+")


def split_name(name: str) -> list[str]:
    """Words of a technical name: split on separators, case changes and digits.

    Works on any script (``ÄpfelMenge`` → Äpfel, Menge), keeps upper-case runs together
    without eating the next word's capital (``HTTPStatus`` → HTTP, Status), and reads a
    name written all in capitals as plain words (``FILM_CATEGORY`` → film, category).
    """
    if not any(char.islower() for char in name):
        name = name.lower()
    words = []
    for chunk in _SEPARATORS.split(name):
        if not chunk:
            continue
        start = 0
        for i in range(1, len(chunk)):
            before, char = chunk[i - 1], chunk[i]
            following = chunk[i + 1] if i + 1 < len(chunk) else ""
            if (
                char.isdigit() != before.isdigit()
                or (before.islower() and char.isupper())
                or (before.isupper() and char.isupper() and following.islower())
            ):
                words.append(chunk[start:i])
                start = i
        words.append(chunk[start:])
    return words


@functools.lru_cache(maxsize=65536)  # column names repeat across a source's tables
def business_name(technical_name: str) -> str:
    """The suggested business name, or "" when nothing readable comes out."""
    words = []
    for token in split_name(technical_name):
        lower = token.lower()
        if lower in ABBREVIATIONS:
            words.append(ABBREVIATIONS[lower])
        elif token.isdigit():
            words.append(token)
        elif len(token) > 1 and token.isupper():
            words.append(token)  # an acronym written as one (HTTPStatus → "HTTP Status")
        else:
            words.append(lower.capitalize())
    return " ".join(words)[:255].rstrip()
