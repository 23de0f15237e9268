"""Run one pure function over partitions, in-process or on a Dask distributed cluster.

``scheduler``: None runs a plain loop, ``"local"`` starts a local cluster, ``"tcp://HOST:PORT"`` uses a standing one;
results come back in partition order. Functions shipped to workers must pickle; workers need ``analysis`` installed.

>>> map_partitions(len, [[1, 2], [3]])
[2, 1]
"""
from __future__ import annotations

import functools
from typing import Callable, Iterable

from tqdm.auto import tqdm

_clients: dict = {}

def get_client(scheduler: str):
    """A Dask distributed client, kept for the life of the process: "local" starts a 2-worker cluster."""
    if scheduler not in _clients:
        from dask.distributed import Client, LocalCluster

        _clients[scheduler] = Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
                                     if scheduler == "local" else scheduler)
    return _clients[scheduler]

def shutdown() -> None:
    """Close the clients ``get_client`` started, the local cluster last (the others may be on it)."""
    for scheduler in sorted(_clients, key=lambda s: s == "local"):
        client = _clients.pop(scheduler)
        client.close()
        if scheduler == "local":
            client.cluster.close()

@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, once each array of 4 MB or more is set to get its own mapping (``mallopt``
    M_MMAP_THRESHOLD): given back to the system when freed, not kept in the heap, where what is freed between two
    large steps (a partition's frames, a fold's copies) stays in the process; a no-op elsewhere."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 1 << 22)   # M_MMAP_THRESHOLD, fixed (glibc raises it after each large free by default)
        return libc.malloc_trim
    except (OSError, AttributeError):   # not glibc: nothing to call
        return lambda pad: 0

def release() -> None:
    """Hand the memory freed so far back to the operating system (glibc's ``malloc_trim``; nothing elsewhere). Called
    before each partition and after large steps: a step's freed heap (e.g. 440 MB after TF-IDF at 100,000 articles) is
    not carried into the next, so peaks measure what is in use."""
    _malloc_trim()(0)

release()   # on import: the threshold above holds for everything this process allocates from now on

def map_partitions(func: Callable, parts: Iterable, scheduler: str | None = None, desc: str = "partitions") -> list:
    """``[func(p) for p in parts]`` with a progress bar, in partition order on either engine."""
    parts = list(parts)
    return [result for _, result in imap_partitions(func, parts, scheduler, desc)]

def imap_partitions(func: Callable, parts: Iterable, scheduler: str | None = None, desc: str = "partitions"):
    """(index, ``func(part)``) for each of ``parts`` in partition order, each as soon as it and those before it are
    done, with a progress bar; on Dask one task per partition, each result's future released as it arrives (workers
    hold only the tasks in flight), so a caller that writes or folds the results as they come never holds them all."""
    parts = list(parts)
    bar = functools.partial(tqdm, desc=desc, total=len(parts), disable=len(parts) < 2)   # same bar, either engine
    if not scheduler or not parts:
        yield from ((i, func(p)) for i, p in enumerate(bar(parts)))
        return
    from dask.distributed import as_completed

    client = get_client(scheduler)
    if scheduler != "local":   # a standing cluster: say where the work goes
        print(f"{desc}: {len(parts)} partitions on {scheduler}", flush=True)
    futures = client.map(func, parts, pure=False)
    position = {f.key: i for i, f in enumerate(futures)}
    done = as_completed(futures, with_results=True)
    del futures   # only ``done`` holds the futures now: each is released once its result is in
    early, i = {}, 0   # results that finished before an earlier partition's
    for future, result in bar(done):
        early[position[future.key]] = result
        del future, result   # released now, not when the loop variables are next overwritten
        while i in early:
            yield i, early.pop(i)
            i += 1
