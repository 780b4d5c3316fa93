"""The fourth floor: what a command prints or renders (the stable `--json` shapes, the PDF page contexts)."""
