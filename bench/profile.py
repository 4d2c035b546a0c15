"""Time (and optionally profile) one benchmark page in-process, without gunicorn.

    python -m bench.profile --size S --page entry            # CPU time per request
    python -m bench.profile --size L --page dashboard --profile

Uses the database a ``make bench SIZE=…`` run left behind (``shakyo_bench_<size>`` on
PostgreSQL), generating it first when it is missing. The figures are the worker's CPU
time through Django's test client with DEBUG=0: what to compare before and after a
change, not a replacement for ``bench.run``'s latency figures.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--size", default="S", choices=["tiny", "S", "L", "XL"])
    parser.add_argument(
        "--page", default="entry", choices=["entry", "save", "dashboard", "city", "plan"]
    )
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the page")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)

    import psycopg

    from .run import POSTGRES_ADMIN, _django, entry_form, filled, prepare_database

    name = f"shakyo_bench_{args.size.lower()}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    target = prepare_database(args.size, "postgresql", reuse=bool(exists))
    os.environ.update(
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        CELERY_BROKER_URL="",
    )
    _django(target.url)

    from django.core.management import call_command
    from django.test import Client

    from plans.models import Organization, User

    from .generate import SIZES, council_ref, generate
    from .run import bench_pages

    call_command("migrate", verbosity=0, interactive=False)
    if not Organization.objects.exists():
        print(f"generating {args.size} …", flush=True)
        generate(SIZES[args.size])
    page = next(p for p in bench_pages(council_ref(1), quarter=4) if p.key == args.page)
    client = Client()
    client.force_login(User.objects.get(username=page.user))
    first = client.get(page.path)
    assert first.status_code == 200, first.status_code
    import shakyo.wsgi  # noqa: F401  (the process settings a server worker has, e.g. gc)

    rounds = iter(range(1, 1_000_000))

    def prepare():
        """A POST's form, read from the page (not timed): every row changed, as bench.run."""
        if page.method == "GET":
            return None
        fields = entry_form(client.get(page.path).content.decode())
        return dict(filled(fields, next(rounds), "save"))

    def once(data=None):
        if page.method == "GET":
            response = client.get(page.path)
            assert response.status_code == 200, response.status_code
        else:
            response = client.post(page.path, data if data is not None else prepare())
            assert response.status_code == 302, response.status_code

    for _ in range(2):
        once()
    if args.profile:
        profiler = cProfile.Profile()
        for _ in range(args.requests):
            data = prepare()
            profiler.enable()
            once(data)
            profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        return
    times = []
    for _ in range(args.requests):
        data = prepare()
        started = time.process_time()
        once(data)
        times.append((time.process_time() - started) * 1000)
    print(
        f"{args.size} {page.key}: CPU median {statistics.median(times):.1f} ms, "
        f"min {min(times):.1f} ms, max {max(times):.1f} ms over {len(times)} requests"
    )


if __name__ == "__main__":
    main()
