"""Layer 3, the engines: durable-rules (the engine of record) and the compiled numpy core
that is both the python engine and the scorer behind every analysis."""
