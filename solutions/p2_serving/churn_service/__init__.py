"""churn_service: the churn model as software: training CLI, artifact, FastAPI service, batch job."""
