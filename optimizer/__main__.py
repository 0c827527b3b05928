"""python -m optimizer: the same app as the `opt` command (LLVM's /usr/bin/opt often shadows ours)."""
from optimizer.cli import main

main()
