"""A stranger's workbook cannot explode or fetch, whoever opens it: :func:`kg.sheets.safety.check_workbook`
runs in the readers before any parse, so ``kg import`` on the command line (a real subprocess) refuses a zip
bomb, a « billion laughs » and an external entity reading a local file — in an ``.xlsx`` (openpyxl) and an
``.ods`` (our own stream reader, the standard library's expat) — with the store byte-identical and nothing
written; the workspace (a real ``kg atelier`` on 127.0.0.1) refuses the same files. The real workbooks
made from the same fixtures import."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from atelier_server import start_atelier
from conftest import stop

from kg.errors import InputError
from kg.sheets.read import read_tables
from kg.sheets.safety import MAX_MEMBERS, check_workbook

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "spreadsheets"
XLSX, ODS = FIXTURES / "gravelle.xlsx", FIXTURES / "gravelle.ods"
#: what a file read through an external entity would leak
SECRET = "SECRET-7f3a-ne-doit-jamais-sortir"

LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {m.filename: z.read(m) for m in z.infolist()}


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return path


def _with_doctype(xml: bytes, doctype: bytes, cell: bytes, ods: bool) -> bytes:
    """*xml* (content.xml or sharedStrings.xml) with *doctype* after its declaration and its first text
    replaced by *cell* (an entity reference)."""
    decl_end = xml.index(b"?>") + 2
    xml = xml[:decl_end] + doctype + xml[decl_end:]
    if ods:
        return re.sub(rb"<text:p>[^<]*</text:p>", b"<text:p>" + cell + b"</text:p>", xml, count=1)
    return re.sub(rb"<t>[^<]*</t>", b"<t>" + cell + b"</t>", xml, count=1)


def _evil(tmp: Path, base: Path, name: str, doctype: bytes, cell: bytes, *, utf16: bool = False) -> Path:
    ods = base.suffix == ".ods"
    part = "content.xml" if ods else "xl/sharedStrings.xml"
    members = _members(base)
    xml = _with_doctype(members[part], doctype, cell, ods)
    if utf16:
        xml = xml.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode("utf-8").encode("utf-16")
    members[part] = xml
    return _zip(tmp / name, members)


FILLED = b'<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


def _ods_with(path: Path, edit: Callable[[bytes], bytes]) -> Path:
    """gravelle.ods with its content.xml edited (rows or cells that unfold, no compression needed)."""
    return _zip(path, {**_members(ODS), "content.xml": edit(_members(ODS)["content.xml"])})


def _repeated_cell(xml: bytes) -> bytes:  # a filled cell said to repeat a billion times
    at = xml.index(b"<table:table-cell")
    many = b'<table:table-cell table:number-columns-repeated="1000000000"'
    cell = FILLED.replace(b"<table:table-cell", many)
    return xml[:at] + cell + xml[at:]


def _repeated_row(xml: bytes) -> bytes:  # a filled row said to repeat a hundred million times
    at = xml.index(b"</table:table-row>") + len(b"</table:table-row>")
    row = b'<table:table-row table:number-rows-repeated="100000000">' + FILLED + b"</table:table-row>"
    return xml[:at] + row + xml[at:]


def _trailing_empties(xml: bytes) -> bytes:  # what LibreOffice writes after a row's last value, very wide
    at = xml.index(b"</table:table-row>")
    return xml[:at] + b'<table:table-cell table:number-columns-repeated="1000000000"/>' + xml[at:]


def _declaring_huge(path: Path) -> Path:
    """A 1 KB workbook whose zip directory says its sheet unpacks to 4 GB (the sizes patched in)."""
    members = _members(XLSX)
    _zip(path, members)
    raw = bytearray(path.read_bytes())
    at = raw.index(b"PK\x01\x02")  # the first member's central directory entry
    raw[at + 24 : at + 28] = (0xF000_0000).to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(raw))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """The hostile files: name → (path, what the French refusal says)."""
    tmp = tmp_path_factory.mktemp("hostile")
    secret = tmp / "secret.txt"
    secret.write_text(SECRET)
    xxe = b'<!DOCTYPE x [<!ENTITY secret SYSTEM "%s">]>' % secret.as_uri().encode()
    bomb = "bombe zip"
    big = b"<a>" + b" " * 50_000_000 + b"</a>"  # 50 MB that deflate to 50 KB
    entities = "déclare des entités XML"
    repeats = "répète des lignes ou des cellules remplies"
    return {
        "declared-4gb.xlsx": (_declaring_huge(tmp / "declared-4gb.xlsx"), bomb),
        "inflating.ods": (_zip(tmp / "inflating.ods", {**_members(ODS), "content.xml": big}), bomb),
        "many-parts.xlsx": (
            _zip(tmp / "many-parts.xlsx", {**_members(XLSX), **{f"x/{i}.xml": b"<a/>" for i in range(2100)}}),
            f"{len(_members(XLSX)) + 2100} parties",
        ),
        "many-csv.zip": (
            _zip(tmp / "many-csv.zip", {f"f{i}.csv": b"nom\n" for i in range(MAX_MEMBERS + 1)}),
            bomb,
        ),
        "laughs.xlsx": (_evil(tmp, XLSX, "laughs.xlsx", LAUGHS, b"&lol9;"), entities),
        "laughs.ods": (_evil(tmp, ODS, "laughs.ods", LAUGHS, b"&lol9;"), entities),
        "xxe.xlsx": (_evil(tmp, XLSX, "xxe.xlsx", xxe, b"&secret;"), entities),
        "xxe.ods": (_evil(tmp, ODS, "xxe.ods", xxe, b"&secret;"), entities),
        "repeated-cell.ods": (_ods_with(tmp / "repeated-cell.ods", _repeated_cell), repeats),
        "repeated-row.ods": (_ods_with(tmp / "repeated-row.ods", _repeated_row), repeats),
        "xxe-utf16.ods": (_evil(tmp, ODS, "xxe-utf16.ods", xxe, b"&secret;", utf16=True), "pas du XML en"),
    }


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _kg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


# ------------------------------------------------------------------------------------------- the library


def test_the_readers_check_before_they_parse(files):
    for name, (path, says) in files.items():
        with pytest.raises(InputError) as info:
            read_tables(path)
        assert says in str(info.value) and name in str(info.value), (name, str(info.value))
        assert SECRET not in str(info.value)
    # the same fixtures, unharmed, are read
    assert [t.name for t in read_tables(XLSX)] == [t.name for t in read_tables(ODS)]


def test_an_ods_row_may_end_with_any_number_of_empty_cells(tmp_path):
    """LibreOffice writes a row's trailing empty cells as one repeated cell: read as before, not unfolded."""
    wide = _ods_with(tmp_path / "wide.ods", _trailing_empties)
    assert [(t.name, t.headers, t.rows) for t in read_tables(wide)] == [
        (t.name, t.headers, t.rows) for t in read_tables(ODS)
    ]


def test_a_zip_of_csv_is_not_scanned_for_entities_a_workbook_is(tmp_path):
    """A CSV cell may say anything (« <!DOCTYPE html> » in a description); a workbook's XML never does."""
    text = b"nom;description\nLe Lieu;une page commence par <!DOCTYPE html>\n"
    csvs = _zip(tmp_path / "acteurs.zip", {"acteurs.csv": text})
    check_workbook(csvs, xml=False)
    assert read_tables(csvs)[0].rows[0][1][1] == "une page commence par <!DOCTYPE html>"
    with pytest.raises(InputError, match="entités XML"):
        check_workbook(csvs)


def test_messages_name_the_file_and_the_fix_in_english_too(files):
    path, _ = files["xxe.ods"]
    with pytest.raises(InputError) as info:
        check_workbook(path, lang="en")
    problem = info.value.problems[0]
    assert problem.file == "xxe.ods" and "content.xml" in problem.message
    assert "XML entities" in problem.message
    assert "save it again from Excel or LibreOffice" in problem.fix
    with pytest.raises(InputError) as info:
        check_workbook(files["declared-4gb.xlsx"][0])
    assert re.search(r"se décompresse en 4 026 \d{3} \d{3} octets", str(info.value))
    assert "origine" in (info.value.problems[0].fix or "")


# ------------------------------------------------------------------------------------------- kg import


@pytest.fixture(scope="module")
def env(data_env):
    return data_env("safety")


def test_kg_import_refuses_every_hostile_workbook_and_writes_nothing(env, files, tmp_path):
    data, store = env
    before = _fingerprint(store)
    common = ["--data", str(data), "--store", str(store), "--par", "Inconnu", "--oui"]
    for name, (path, says) in files.items():
        run = _kg("import", str(path), *common, cwd=tmp_path)
        out = run.stdout + run.stderr
        assert run.returncode == 3, (name, out)  # an InputError, not a crash of a parser
        assert says in out and name in out and "Traceback" not in out and SECRET not in out, (name, out)
        assert not (data / "imports").exists(), name
        assert _fingerprint(store) == before, name
    # the real workbooks the hostile ones were made from do import (a dry run: still nothing written)
    for real in (XLSX, ODS):
        run = _kg("import", str(real), "--dry-run", *common, cwd=tmp_path)
        assert run.returncode == 0 and "ajoutés : 14" in run.stdout, run.stdout + run.stderr
    assert _fingerprint(store) == before


# ------------------------------------------------------------------------------------------- kg atelier


def test_the_workspace_refuses_them_too(data_env, files):
    data, store = data_env("safety-atelier")
    proc, base = start_atelier(data, store)
    try:
        client = httpx.Client(base_url=base, timeout=120)
        page = client.get("/atelier/importer")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf
        for name, (path, says) in files.items():
            if name.endswith(".zip"):  # the workspace takes no .zip (a set of .csv files instead)
                continue
            answer = client.post(
                "/atelier/importer",
                data={"csrf": csrf.group(1), "owner": "Inconnu"},
                files={"file": (name, path.read_bytes())},
            )
            assert answer.status_code == 422 and says in answer.text and SECRET not in answer.text, name
            assert not (data / "imports").exists(), name
        real = client.post(
            "/atelier/importer",
            data={"csrf": csrf.group(1), "owner": "Gravelle"},
            files={"file": ("gravelle.ods", ODS.read_bytes())},
        )
        assert real.status_code == 200 and "Confirmer l&#39;import" in real.text
    finally:
        stop(proc)
