"""kbetl: the library behind the KB service-report pipeline. Knows nothing of Prefect."""
