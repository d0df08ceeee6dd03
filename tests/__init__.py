"""kbetl's tests: unit/ (fast, in-process), integration/ (servers, flows, subprocesses), hostile/ (hostile input,
crashes, fuzzing) and devtools/ (the developer tools)."""
