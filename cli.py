"""opt's command line, as `python cli.py` in a checkout: the typer app is optimizer/cli.py, installed inside
the optimizer package so that installing opt puts no module named 'cli' where a user's own would clash."""
from optimizer.cli import app, main  # noqa: F401 - `from cli import app` as before, in a checkout

if __name__ == "__main__":
    main()
