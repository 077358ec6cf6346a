"""Back-of-envelope capacity: peak load, feature-store reads and storage."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SECONDS_PER_DAY = 86_400
BYTES_PER_GB = 1_000_000_000  # decimal gigabytes, as storage is billed


def peak_qps(daily_transactions: float, peak_factor: float) -> float:
    """Requests per second at peak: the average rate over a day (``daily / 86,400 s``) times ``peak_factor``.

    Raises ``ValueError`` if ``daily_transactions`` is negative or ``peak_factor`` is below 1.
    """
    # BEGIN SOLUTION
    # HINT: average rate = daily_transactions / 86_400 seconds; the peak is that times peak_factor.
    if daily_transactions < 0:
        raise ValueError(f"daily_transactions must be >= 0, got {daily_transactions}.")
    if peak_factor < 1:
        raise ValueError(f"peak_factor must be >= 1 (peak over average), got {peak_factor}.")
    return daily_transactions / SECONDS_PER_DAY * peak_factor
    # END SOLUTION


def feature_store_reads_per_second(peak_qps: float, reads_per_request: int) -> float:
    """Feature-store reads per second at peak: every request does ``reads_per_request`` lookups."""
    # BEGIN SOLUTION
    # HINT: each scored request reads reads_per_request features rows.
    if peak_qps < 0 or reads_per_request < 0:
        raise ValueError(f"peak_qps and reads_per_request must be >= 0, got {peak_qps}, {reads_per_request}.")
    return peak_qps * reads_per_request
    # END SOLUTION


def storage_gb_per_day(
    daily_transactions: float, bytes_per_transaction: float, replication_factor: int = 1
) -> float:
    """Decimal gigabytes (10**9 bytes) written per day: transactions x bytes each x replicas."""
    # BEGIN SOLUTION
    # HINT: bytes a day = daily_transactions * bytes_per_transaction * replication_factor; 1 GB = 1e9 bytes.
    if daily_transactions < 0 or bytes_per_transaction < 0:
        raise ValueError("daily_transactions and bytes_per_transaction must be >= 0.")
    if replication_factor < 1:
        raise ValueError(f"replication_factor must be >= 1, got {replication_factor}.")
    return daily_transactions * bytes_per_transaction * replication_factor / BYTES_PER_GB
    # END SOLUTION


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
