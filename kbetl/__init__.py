"""kbetl: the library behind the KB service-report pipeline. Knows nothing of Prefect."""

import warnings

import pandas as pd

# pandas 3 stores strings in pyarrow when it is installed (ibis brings it); on the many small frames
# of recap files that is ~40% slower than Python storage (222 sample files: 26.2 s against 18.5 s).
pd.options.mode.string_storage = "python"

# DuckDB 2.0's .df() calls DataFrame.drop(inplace=True) when pyarrow is installed; pandas 3.1 warns
# about it at every call. Not ours to fix; silenced so that our own warnings stay readable.
warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop is deprecated")
