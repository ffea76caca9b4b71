"""Business-name predictions from technical names.

``film_category`` → "Film Category", ``category_id`` → "Category ID", ``custOrderDt`` →
"Customer Order Date". Names are split on underscores, hyphens, spaces, case changes and
digits; common abbreviations are expanded; the rest is title-cased.
"""

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

# lowercase runs, Capitalised words, ALLCAPS runs (not eating the next word's capital), digits
_TOKEN = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def split_name(name: str) -> list[str]:
    return _TOKEN.findall(name)


def business_name(technical_name: str) -> str:
    """The predicted business name, or "" when nothing readable comes out."""
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
    return " ".join(words)[:255]
