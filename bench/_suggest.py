"""The navigation box's suggestions (``GET /search/suggest/``), measured for bench/search.py.

For each shape of what a person types it prints:

  p50/p95   wall time of the request through Django's test client (in process: middleware,
            session and user look-ups, the view, JSON; no HTTP server);
  CPU       CPU time per request of this process (Django) and of its PostgreSQL backend,
            from /proc/<pid>/schedstat (nanoseconds): what a quiet machine needs;
  wait      time per request both spent runnable but not running (waiting for a core):
            what the machine's load added to the wall time;
  SQL       the suggestion statement alone, replayed straight on psycopg2;
  queries   statements per request (the sign-in's session and user, then the suggestion's).

The first row ("nothing typed") is the request's fixed cost: middleware, session, user,
JSON, and no suggestion statement.
"""

import os
import time

from _harness import percentile

URL = "/search/suggest/"


def suggest_queries(words, terms) -> list[tuple[str, str]]:
    """What a person has typed so far: nothing (the fixed cost), short prefixes of the
    commonest word (the most rows to walk), a longer one, a rare word, a term's name,
    nothing-matches, and several words: common ones (the walk is a sample), a common one
    with a rare one (the rare one drives: exact), and five."""
    common, rare = words[0], words[len(words) // 2]
    term_name = terms[0][0]["name"]  # terms: per domain, a list of {"name", …}
    return [
        ("nothing typed (fixed cost)", ""),
        ("2 letters, commonest word", common[:2]),
        ("3 letters, commonest word", common[:3]),
        ("whole common word", words[5]),
        ("rare word prefix", rare[:5]),
        ("glossary term prefix", term_name[:4]),
        ("no match", "zzqxj"),
        ("two word prefixes", f"{words[1]} {words[3][:3]}"),
        ("common word, then a prefix", f"{words[0]} {words[2][:2]}"),
        ("common word + rare word", f"{common} {rare[:5]}"),
        ("five words", " ".join([words[0], words[3], words[1], words[7], words[2][:2]])),
    ]


def _schedstat(path: str) -> tuple[int, int] | None:
    """(ns on a CPU, ns waiting for one) of a thread or process, None if unreadable."""
    try:
        with open(path) as stat:
            run, wait, _ = stat.read().split()
    except (OSError, ValueError):
        return None
    return int(run), int(wait)


def raw_connection():
    import psycopg2
    from django.db import connection

    return psycopg2.connect(**connection.get_connection_params())


def _backend_pid(connection) -> int:
    connection.ensure_connection()
    return connection.connection.get_backend_pid()


def measure_suggest(user, text: str, runs: int) -> dict:
    """One shape: wall times, CPU and wait per request (Django, PostgreSQL), the
    statement's SQL times, queries per request and how many were suggested."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(3):
        assert client.get(URL, {"q": text}).status_code == 200
    own = "/proc/thread-self/schedstat"
    backend = f"/proc/{_backend_pid(connection)}/schedstat"
    before = (_schedstat(own), _schedstat(backend))
    times, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(URL, {"q": text})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
        found = len(response.json()["suggestions"])
    after = (_schedstat(own), _schedstat(backend))
    per_request = [
        None if a is None or b is None else ((a[0] - b[0]) / runs / 1e6, (a[1] - b[1]) / runs / 1e6)
        for b, a in zip(before, after, strict=True)
    ]
    with CaptureQueriesContext(connection) as captured:
        client.get(URL, {"q": text})
    statements = [q["sql"] for q in captured.captured_queries if "listingnameword" in q["sql"]]
    conn = raw_connection()
    cur = conn.cursor()
    sql_times = []
    for run in range(runs + 3):
        started = time.perf_counter()
        for statement in statements:
            cur.execute(statement)
            cur.fetchall()
        if run >= 3 and statements:
            sql_times.append(time.perf_counter() - started)
    conn.close()
    return {
        "times": times,
        "sql": sql_times,
        "found": found,
        "queries": len(captured.captured_queries),
        "django": per_request[0],
        "postgres": per_request[1],
    }


def _ms(value) -> str:
    return "     n/a" if value is None else f"{value:6.2f}ms"


def measure_suggestions(n: int, runs: int, words, user, terms) -> dict:
    """Print the table for a catalog of ``n`` listings; returns the worst figures."""
    from django.conf import settings

    settings.DEBUG = False  # no query log while timing
    print(
        f"\nSuggestions as you type at {n:,} listings (GET {URL}?q=…, {runs} runs each after "
        "3 warm-ups, in process).\nCPU and wait are per request: Django process + its "
        "PostgreSQL backend. SQL = the suggestion statement alone on psycopg2.\n"
        f"Machine load (1, 5, 15 min): {os.getloadavg()}\n"
    )
    header = (
        f"{'typed':44} {'shown':>5} {'p50':>8} {'p95':>8} {'CPU dj':>8} {'CPU pg':>8}"
        f" {'wait':>8} {'SQL p50':>8} {'SQL p95':>8} {'queries':>7}"
    )
    print(header)
    print("-" * len(header))
    worst = {"p95": 0.0, "p50": 0.0, "sql95": 0.0, "cpu": 0.0}
    for label, text in suggest_queries(words, terms):
        m = measure_suggest(user, text, runs)
        p50, p95 = percentile(m["times"], 50) * 1000, percentile(m["times"], 95) * 1000
        s50 = percentile(m["sql"], 50) * 1000 if m["sql"] else None
        s95 = percentile(m["sql"], 95) * 1000 if m["sql"] else None
        django, postgres = m["django"], m["postgres"]
        wait = None if django is None or postgres is None else django[1] + postgres[1]
        cpu = None if django is None or postgres is None else django[0] + postgres[0]
        print(
            f"{label + ' (' + text + ')':44} {m['found']:>5} {p50:6.1f}ms {p95:6.1f}ms "
            f"{_ms(django and django[0])} {_ms(postgres and postgres[0])} {_ms(wait)} "
            f"{_ms(s50)} {_ms(s95)} {m['queries']:>7}",
            flush=True,
        )
        worst["p95"], worst["p50"] = max(worst["p95"], p95), max(worst["p50"], p50)
        worst["sql95"] = max(worst["sql95"], s95 or 0.0)
        worst["cpu"] = max(worst["cpu"], cpu or 0.0)
    print(
        f"\nWorst at {n:,}: endpoint p50 {worst['p50']:.1f} ms, p95 {worst['p95']:.1f} ms "
        f"(target: p95 ≤ 20 ms at 1,000,000); statement p95 {worst['sql95']:.1f} ms; CPU per "
        f"request (Django + PostgreSQL) {worst['cpu']:.2f} ms.\n"
        f"Machine load (1, 5, 15 min): {os.getloadavg()}"
    )
    return worst
