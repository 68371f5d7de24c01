"""Benchmark member-code parsing and offline verification.

Prints verify throughput and the p50/p99 latency of parse_scan + verify_dynamic per scan, plus the
same with a dict lookup of the member secret in an in-memory slice (the SQLite lookup is measured
by the store's own benchmark). Run: ``.venv/bin/python benchmarks/bench_codes.py``.
"""

from __future__ import annotations

import hashlib
import statistics
import time

from posloyalty.domain.codes import (
    DynamicMemberCode,
    ReplayCache,
    make_dynamic,
    parse_scan,
    verify_dynamic,
)
from posloyalty.domain.ids import MemberId

T0 = 1_800_000_000


def _secret(member: str) -> bytes:
    return hashlib.sha256(b"bench/" + member.encode()).digest()


def _percentile(sorted_ns: list[int], q: float) -> float:
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1000


def run(n_codes: int = 20_000, slice_size: int = 100_000) -> None:
    """Measure and print; ``slice_size`` members are held in a dict as the directory slice."""
    members = [MemberId(f"{i:08X}") for i in range(slice_size)]
    directory = {m: _secret(m) for m in members}
    scans = [
        make_dynamic(
            members[(i * 7919) % slice_size],
            directory[members[(i * 7919) % slice_size]],
            T0 + i % 30,
        )
        for i in range(n_codes)
    ]

    parsed = [parse_scan(s) for s in scans]
    start = time.perf_counter()
    for code in parsed:
        assert isinstance(code, DynamicMemberCode)
        verify_dynamic(code, directory[code.member_id], T0 + 15)
    elapsed = time.perf_counter() - start
    print(
        f"verify_dynamic: {n_codes / elapsed:,.0f} codes/s ({elapsed / n_codes * 1e6:.1f} us each)"
    )

    latencies: list[int] = []
    replay = ReplayCache()
    for text in scans:
        t = time.perf_counter_ns()
        code = parse_scan(text + "\r\n")
        assert isinstance(code, DynamicMemberCode)
        result = verify_dynamic(code, directory[code.member_id], T0 + 15, replay=replay)
        latencies.append(time.perf_counter_ns() - t)
        assert result.reason in {"ok", "replayed"}
    latencies.sort()
    print(
        f"parse_scan + lookup + verify_dynamic (+replay cache), {slice_size:,} members: "
        f"p50 {_percentile(latencies, 0.50):.1f} us, p99 {_percentile(latencies, 0.99):.1f} us, "
        f"mean {statistics.fmean(latencies) / 1000:.1f} us"
    )


if __name__ == "__main__":
    run()
