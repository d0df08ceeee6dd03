"""kbetl: the library behind the KB service-report pipeline. Knows nothing of Prefect."""

import warnings

# DuckDB 2.0's .df() calls DataFrame.drop(inplace=True) when pyarrow is installed; pandas 3.1 warns
# about it at every call. Not ours to fix; silenced so that our own warnings stay readable.
warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop is deprecated")
