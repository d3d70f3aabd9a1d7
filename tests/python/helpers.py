"""Small helpers shared by the command-line tests."""
from pathlib import Path


def write_csv(path: Path, rows) -> Path:
    """Integer rows as `bitcim mvm` reads them: comma-separated, one row a line."""
    path.write_text("\n".join(",".join(str(int(v)) for v in row) for row in rows) + "\n")
    return path
