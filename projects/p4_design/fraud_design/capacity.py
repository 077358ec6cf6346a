"""Back-of-envelope capacity: peak load, feature-store reads and storage."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SECONDS_PER_DAY = 86_400
BYTES_PER_GB = 1_000_000_000  # decimal gigabytes, as storage is billed


def peak_qps(daily_transactions: float, peak_factor: float) -> float:
    """Requests per second at peak: the average rate over a day (``daily / 86,400 s``) times ``peak_factor``.

    Raises ``ValueError`` if ``daily_transactions`` is negative or ``peak_factor`` is below 1.
    """
    # HINT: average rate = daily_transactions / 86_400 seconds; the peak is that times peak_factor.
    raise NotImplementedError("peak_qps: average rate = daily_transactions / 86_400 seconds; the peak is that times peak_factor.")


def feature_store_reads_per_second(peak_qps: float, reads_per_request: int) -> float:
    """Feature-store reads per second at peak: every request does ``reads_per_request`` lookups."""
    # HINT: each scored request reads reads_per_request features rows.
    raise NotImplementedError("feature_store_reads_per_second: each scored request reads reads_per_request features rows.")


def storage_gb_per_day(
    daily_transactions: float, bytes_per_transaction: float, replication_factor: int = 1
) -> float:
    """Decimal gigabytes (10**9 bytes) written per day: transactions x bytes each x replicas."""
    # HINT: bytes a day = daily_transactions * bytes_per_transaction * replication_factor; 1 GB = 1e9 bytes.
    raise NotImplementedError("storage_gb_per_day: bytes a day = daily_transactions * bytes_per_transaction * replication_factor; 1 GB = 1e9 bytes.")


@dataclass(frozen=True)
class CapacityEstimate:
    """The sizing numbers a design review asks for."""

    daily_transactions: float
    average_qps: float
    peak_qps: float
    feature_reads_per_second: float
    storage_gb_per_day: float
    storage_tb_retained: float

    def as_dict(self) -> dict[str, float]:
        """The estimate as a plain dictionary."""
        return asdict(self)


def estimate_capacity(
    daily_transactions: float,
    peak_factor: float,
    reads_per_request: int,
    bytes_per_transaction: float,
    replication_factor: int = 1,
    retention_days: int = 1,
) -> CapacityEstimate:
    """All the sizing numbers at once, from the functions above."""
    peak = peak_qps(daily_transactions, peak_factor)
    per_day = storage_gb_per_day(daily_transactions, bytes_per_transaction, replication_factor)
    return CapacityEstimate(
        daily_transactions=float(daily_transactions),
        average_qps=daily_transactions / SECONDS_PER_DAY,
        peak_qps=peak,
        feature_reads_per_second=feature_store_reads_per_second(peak, reads_per_request),
        storage_gb_per_day=per_day,
        storage_tb_retained=per_day * retention_days / 1000,
    )
