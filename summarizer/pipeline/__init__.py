"""One article end to end: prepare (render + budget), the call, check the result, long articles."""
