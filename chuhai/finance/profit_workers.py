"""Profit rows computed by worker processes while this process stores them.

Reading an order's inputs and working out its rows is Python work bound to one CPU core (about four fifths of a
recompute); storing the rows is the database's. A big recompute therefore deals the orders, in ranges of
:data:`~chuhai.finance.profit.CHUNK` orders by id, to worker processes in turn: each reads its ranges
through its own database connection (SQLite in WAL mode and PostgreSQL both let readers run beside the writer),
computes their rows with its own :class:`~chuhai.finance.profit.Engine` and sends them down a pipe, then its
counts and its share of the period fees' allocation basis once. This process reads the pipes in turn (so the rows
arrive in order of order id), stores the rows, merges the counts and the basis, and then writes the period rows,
all in its one transaction. The rows are the same as those of a run in one process (a test compares them).

Workers see committed data only, so they are used only outside a transaction (the command line, a job; not a
test's or a request's atomic block), and for runs of at least
:data:`PARALLEL_MIN_ORDERS` orders (below that, starting the processes costs more than it saves).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import traceback
from collections.abc import Iterator

from django.db import connection, connections

from chuhai.core import bulk

#: Most worker processes a recompute starts (and never more than the CPUs).
MAX_WORKERS = 4
#: Fewer orders than this are computed in the calling process.
PARALLEL_MIN_ORDERS = 20_000



def worker_count(requested: int | None) -> int:
    """``requested`` processes, or when None one more than the CPUs (at most :data:`MAX_WORKERS`): this process
    mostly waits for rows and stores them on a thread, so with one worker per CPU a core is idle about a tenth
    of the time (measured on two cores: 54 s with two workers, 45 s with three, for a million lines)."""
    if requested is not None:
        return max(1, int(requested))
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 1) + 1))


class WorkerFailed(RuntimeError):
    """A worker process raised (its traceback is the message) or died."""


class Workers:
    """Started worker processes. Worker ``k`` of ``n`` computes the order ranges ``k, k + n, k + 2n…`` and sends
    each range's rows down its pipe, then its counts and its allocation basis once; reading the pipes in turn
    gives the rows in order of order id."""

    def __init__(self, processes: list, pipes: list, now):
        self.processes = processes
        self.pipes = pipes
        self.now = now  # every row's computed_at, adapted as the database wants it

    def results(self, engine) -> Iterator[list[tuple]]:
        """The rows of each range, in order; at the end the workers' counts and allocation basis are merged into
        ``engine``."""
        active = list(range(len(self.pipes)))
        while active:
            for k in list(active):
                try:
                    message = self.pipes[k].recv()
                except EOFError:
                    raise WorkerFailed(f"profit worker {k} stopped without a word "
                                       f"(exit code {self.processes[k].exitcode})") from None
                kind = message[0]
                if kind == "rows":
                    yield message[1]
                elif kind == "done":
                    engine.summary.merge(message[1])
                    engine.merge_basis(message[2])
                    active.remove(k)
                else:
                    raise WorkerFailed(f"profit worker {k} failed:\n{message[1]}")

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.close()
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()


def start(requested: int | None, orders, start, end, account_ids) -> Workers | None:
    """Worker processes computing the rows of ``orders`` (the queryset
    :func:`~chuhai.finance.profit.orders_query` built from ``start``, ``end`` and ``account_ids``), or None when
    this run is computed in this process."""
    from django.conf import settings

    from .profit import CHUNK

    count = worker_count(requested)
    if (count < 2 or connection.in_atomic_block
            or (connection.vendor == "sqlite" and connection.is_in_memory_db())):
        return None
    ids = list(orders.order_by("pk").values_list("pk", flat=True))
    if len(ids) < PARALLEL_MIN_ORDERS:
        return None
    ranges = [(ids[i], ids[min(i + CHUNK, len(ids)) - 1]) for i in range(0, len(ids), CHUNK)]
    del ids
    if len(ranges) < 2:
        return None
    now = bulk.datetime_adapter()(bulk.now())
    # the settings rows are created on first use: here, not by a worker waiting for the writer's lock
    from chuhai.core.models import CompanySettings

    from .finance_settings import FinanceSettings

    CompanySettings.load()
    FinanceSettings.load()
    # Spawned, not forked: a forked child inherits this process's SQLite state (its view of the file locks and
    # the WAL index of every connection any thread holds) and its sockets, and the suite saw both go wrong —
    # "disk I/O error" in SQLite, PostgreSQL connections closed. A fresh interpreter costs a second or two.
    context = multiprocessing.get_context("spawn")
    database = dict(connection.settings_dict)  # the test database's name, when tests run this
    processes, pipes = [], []
    for k in range(min(count, len(ranges))):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_work, name=f"chuhai-profit-{k}", daemon=True,
            args=(sender, settings.SETTINGS_MODULE, database, ranges[k::count], now, start, end, account_ids))
        process.start()
        sender.close()
        processes.append(process)
        pipes.append(receiver)
    return Workers(processes, pipes, now)


def _work(pipe, settings_module, database, ranges, now, start, end, account_ids) -> None:
    """A worker: its ranges' rows, then ("done", counts, allocation basis); ("error", traceback) if it fails."""
    gc.disable()  # as in the parent's run (see chuhai.finance.profit._cycle_collector_paused)
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
        import django

        django.setup()
        connections["default"].settings_dict.update(database)

        from .profit import Engine, Summary, orders_query, read_orders

        engine = Engine(Summary(), now=now)
        orders = orders_query(start, end, account_ids)
        for low, high in ranges:
            pipe.send(("rows", engine.chunk_rows(read_orders(engine, orders.filter(pk__gte=low, pk__lte=high)))))
        pipe.send(("done", engine.summary, engine.month_basis))
    except BaseException:
        pipe.send(("error", traceback.format_exc()))
    finally:
        pipe.close()
        connections.close_all()
