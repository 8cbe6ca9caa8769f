"""Reading plain story files: bytes to text (`decoding`), a title for each story (`titles`), and the
records every reader yields (`records`). Annotated formats are read by `interchange.readers`."""
