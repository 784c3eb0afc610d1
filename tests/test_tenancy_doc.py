"""docs/tenancy.md, the page the code cites for RLS pitfalls, names tests that exist, and the citations name its pitfalls."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "tenancy.md"
SKIP = {".venv", ".git", "node_modules", "test-artifacts", "__pycache__", ".pgdata"}


def pitfalls() -> dict[int, str]:
    """Pitfall number -> its section of the page."""
    sections = re.split(r"^## Pitfall (\d+): ", PAGE.read_text(), flags=re.MULTILINE)
    return {int(number): body for number, body in zip(sections[1::2], sections[2::2])}


def repository_text_files():
    for path in REPO.rglob("*"):
        if path.suffix in {".py", ".md", ".html", ".sql", ".toml", ".cfg", ".txt"} and not SKIP & set(path.relative_to(REPO).parts):
            yield path


def test_each_pitfall_names_tests_that_exist():
    found = pitfalls()
    assert sorted(found) == list(range(1, 14))
    for number, body in found.items():
        named = re.findall(r"`([\w/]+\.py)::(\w+)`", body)
        assert named, f"pitfall {number} names no test"
        for path, name in named:
            source = (REPO / path).read_text()
            assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"pitfall {number}: no {path}::{name}"


def test_citations_name_pitfalls_of_the_page_and_nothing_outside_the_repository():
    numbers = set(pitfalls())
    for path in repository_text_files():
        text = path.read_text(errors="replace")
        where = path.relative_to(REPO)
        assert "RLS_NOTES" not in text or path == Path(__file__), f"{where} cites RLS_NOTES, a file outside the repository"
        assert "../shared" not in text or path == Path(__file__), f"{where} points outside the repository"
        for cited in re.findall(r"tenancy\.md\)?, pitfalls? ([\d, and]+)", text):
            for number in map(int, re.findall(r"\d+", cited)):
                assert number in numbers, f"{where} cites pitfall {number}"
