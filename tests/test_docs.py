"""The documentation stays true to the code: contract, links, make targets, layout.

Fast and offline: reads README.md, docs/*.md, the Makefile and the landing contract in
code (orchestration/ingest/contract.py); runs nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestration.ingest import contract as C

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CONTRACT_DOC = DOCS / "landing-contract.md"

# How the doc writes each column kind of the code contract (the start of the type cell).
DOC_TYPES = {
    C.TEXT: "text",
    C.INTEGER: "integer",
    C.DECIMAL: "decimal",
    C.TIMESTAMP: "timestamp",
    C.DATE: "date",
    C.BOOLEAN: "boolean",
    C.JSON_OBJECT: "JSON object",
}


def doc_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def sections(text: str, level: int) -> dict[str, str]:
    """Heading text (first word, lowercase) -> body, for headings of exactly `level` #s."""
    marker = "#" * level + " "
    out: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith(marker):
            current = line[len(marker) :].strip().split()[0].lower()
            out[current] = ""
        elif re.match(rf"#{{1,{level}}} ", line):
            current = None
        elif current is not None:
            out[current] += line + "\n"
    return out


def contract_tables() -> dict[str, dict[str, tuple[bool, str]]]:
    """entity -> column -> (required in the doc, type cell), from docs/landing-contract.md."""
    out = {}
    for entity, body in sections(CONTRACT_DOC.read_text(), 3).items():
        columns = {}
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if (
                not line.startswith("|")
                or len(cells) < 2
                or cells[0] in ("column", "")
                or set(cells[0]) <= {"-"}
            ):
                continue
            for name in cells[0].split(","):
                name = name.strip()
                columns[name.rstrip("*")] = (name.endswith("*"), cells[1])
        out[entity] = columns
    return out


def contract_keys() -> dict[str, tuple[str, ...]]:
    out = {}
    for entity, body in sections(CONTRACT_DOC.read_text(), 3).items():
        m = re.search(r"^Key: ((?:`[^`]+`(?:, )?)+)", body, re.MULTILINE)
        if m:
            out[entity] = tuple(re.findall(r"`([^`]+)`", m.group(1)))
    return out


# --- 1. the landing contract: the doc and the code say the same -------------------------


def test_every_entity_has_a_section():
    tables = contract_tables()
    assert set(C.ENTITIES) <= set(tables), f"entities without a section: {set(C.ENTITIES) - set(tables)}"


@pytest.mark.parametrize("entity", sorted(C.ENTITIES))
def test_every_required_column_is_documented_as_required(entity):
    documented = contract_tables().get(entity, {})
    for column in C.ENTITIES[entity].columns:
        if column.required:
            assert column.name in documented, f"{entity}.{column.name} (required) missing from {CONTRACT_DOC}"
            assert documented[column.name][0], (
                f"{entity}.{column.name} is required in code but not starred in the doc"
            )


@pytest.mark.parametrize("entity", sorted(C.ENTITIES))
def test_every_column_is_documented_with_its_type(entity):
    documented = contract_tables().get(entity, {})
    code = {c.name: c for c in C.ENTITIES[entity].columns}
    assert set(documented) == set(code), (
        f"{entity}: only in code {sorted(set(code) - set(documented))}, "
        f"only in the doc {sorted(set(documented) - set(code))}"
    )
    for name, column in code.items():
        required, type_cell = documented[name]
        assert required == column.required, f"{entity}.{name}: required is {column.required} in code"
        assert type_cell.startswith(DOC_TYPES[column.kind]), (
            f"{entity}.{name}: the doc says {type_cell!r}, the code {column.kind!r}"
        )


def test_keys_match_the_code():
    assert contract_keys() == {name: e.key for name, e in C.ENTITIES.items()}


def test_event_types_and_formats_match_the_code():
    text = CONTRACT_DOC.read_text()
    vocabulary = text.split("Standard event types:", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"(?<![.\w])`([a-z_]+)`", vocabulary)
    # content types (white_paper, guide, …) are listed in parentheses: drop them
    documented = [t for t in documented if t not in ("white_paper", "guide", "ebook", "case_study")]
    assert documented == list(C.STANDARD_EVENT_TYPES)
    for fmt in C.FORMATS:
        assert f"`{fmt}`" in text


def test_every_reason_code_is_documented():
    from orchestration.ingest import validation

    text = CONTRACT_DOC.read_text()
    missing = [code for code in validation.REASON_CODES if f"`{code}`" not in text]
    assert not missing, f"reason codes missing from {CONTRACT_DOC}: {missing}"


# --- 2. links -------------------------------------------------------------------------


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[`*_]{1,2}(?=\S)|(?<=\S)[`*_]{1,2}", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    return {slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def relative_links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    return [link for link in links if not re.match(r"[a-z]+:", link)]


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    for link in relative_links(doc):
        target, _, anchor = link.partition("#")
        resolved = (doc.parent / target).resolve() if target else doc
        assert resolved.exists(), f"{doc.name}: link {link!r} points to a missing file"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), (
                f"{doc.name}: link {link!r}: no such heading in {resolved.name}"
            )


def test_the_docs_have_links_to_check():
    assert len(relative_links(README)) >= 8
    assert (DOCS / "README.md").exists() or (DOCS / "index.md").exists()


# --- 3. the README stays short -------------------------------------------------------


def test_readme_is_short():
    lines = README.read_text().splitlines()
    assert len(lines) < 200, f"README.md has {len(lines)} lines; move detail to docs/"


def test_readme_keeps_the_two_commands():
    text = README.read_text()
    assert "make demo   # the daily pipeline end to end on demo data" in text
    assert "make test   # every test" in text


# --- 4. every `make <target>` exists ----------------------------------------------------


def makefile_targets() -> set[str]:
    targets = set()
    for line in (ROOT / "Makefile").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_-][A-Za-z0-9_. -]*?)\s*::?(?!=)", line)
        if m:
            targets.update(m.group(1).split())
    return targets


def make_targets_named(path: Path) -> set[str]:
    text = path.read_text()
    code = re.findall(r"```.*?```", text, flags=re.DOTALL) + re.findall(r"`([^`\n]+)`", text)
    named = set()
    for snippet in code:
        named.update(re.findall(r"(?:^|[\s;&|(])make\s+([A-Za-z][\w.-]*)", snippet, re.MULTILINE))
    return named


def test_makefile_targets_are_parsed():
    assert {"demo", "test", "install"} <= makefile_targets()


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_make_targets_exist(doc):
    missing = make_targets_named(doc) - makefile_targets()
    assert not missing, f"{doc.name} names make targets the Makefile lacks: {sorted(missing)}"


def test_readme_names_make_targets():
    assert {"demo", "test"} <= make_targets_named(README)


# --- 5. the repository layout is true ------------------------------------------------


def test_layout_folders_exist():
    layout = sections(README.read_text(), 2).get("repository")
    assert layout, "README.md needs a '## Repository layout' section"
    folders = re.findall(r"`([\w./-]+/)`", layout)
    assert len(folders) >= 10, f"the layout names only {folders}"
    # a folder is named from the root (`orchestration/defs/`) or, inside a folder's item,
    # relative to a folder named before it (`assets/` of `orchestration/defs/`)
    missing = [
        f
        for i, f in enumerate(folders)
        if not (ROOT / f).is_dir() and not any((ROOT / parent / f).is_dir() for parent in folders[:i])
    ]
    assert not missing, f"the README layout names folders that do not exist: {missing}"
    for top in ("orchestration/", "models/", "seeds/", "macros/", "tests/", "docs/"):
        assert top in folders, f"the layout does not mention {top}"


# --- commands: every `.venv/bin/leadscore …` in the docs parses with the real CLI --------


def leadscore_commands(path: Path) -> list[str]:
    text = path.read_text()
    code = re.findall(r"```.*?```", text, flags=re.DOTALL) + re.findall(r"`([^`\n]+)`", text)
    commands = []
    for snippet in code:
        for line in snippet.splitlines():
            m = re.search(r"\.venv/bin/leadscore((?:\s+[^\s#]+)*)", line)
            if m:
                # the command's own words end where the shell's begin (a redirect, a pipe)
                commands.append(re.split(r"\s(?:\d?>|<\s|\||&&|;)", " " + m.group(1))[0].strip())
    return commands


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_leadscore_commands_parse(doc):
    import shlex

    from orchestration.cli import parser

    for command in leadscore_commands(doc):
        argv = shlex.split(command)
        try:
            parser().parse_args(argv)
        except SystemExit as e:
            if argv and argv[-1] == "--help":
                continue
            pytest.fail(f"{doc.name}: `leadscore {command}` does not parse ({e})")


def test_the_docs_name_leadscore_commands():
    named = {c.split()[0] for doc in doc_files() for c in leadscore_commands(doc) if c}
    assert {"run", "backfill", "build", "ingest", "generate", "report", "quarantine"} <= named


def test_benchmark_page_has_figures_not_lab_notes():
    text = (DOCS / "benchmark.md").read_text()
    words = re.findall(r"\b[0-9a-f]{7,40}\b", text)
    hashes = [h for h in words if re.search(r"[a-f]", h) and re.search(r"\d", h)]
    assert not hashes, f"commit hashes belong in the git log, not in docs/benchmark.md: {hashes}"
    assert "next step" not in text.lower(), "next steps belong in issues, not in docs/benchmark.md"


# --- paths: every repository path the docs name in code font exists --------------------

TOP = ("orchestration/", "models/", "seeds/", "macros/", "tests/", "docs/", ".ci/")


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_named_paths_exist(doc):
    paths = [
        p
        for p in re.findall(r"`([\w./-]+)`", doc.read_text())
        if p.startswith(TOP) and not re.search(r"[<>*…]", p)
    ]
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"
