"""kg atelier without a browser: uploads refused before any reader opens them, and a real server on 127.0.0.1
that refuses another host, a missing token, a form without its CSRF value or from another origin, and an
upload past its size limit — each refusal checked to write nothing. The browser tests are in
tests/test_atelier_browser.py."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from atelier_server import start_atelier
from conftest import stop

from kg.errors import InputError, StoreError
from kg.serve.atelier.guard import check_listen
from kg.serve.atelier.uploads import MAX_UPLOAD_BYTES, check_workbook, safe_name, save_upload

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "spreadsheets"
GRAVELLE = FIXTURES / "gravelle.xlsx"


# ------------------------------------------------------------------------------------------- uploads


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return path


def test_a_real_workbook_passes_the_checks(tmp_path):
    check_workbook(GRAVELLE)
    check_workbook(ROOT / "tests" / "fixtures" / "spreadsheets" / "gravelle.ods")
    saved = save_upload([("Gravelle (v2).xlsx", GRAVELLE.read_bytes())], tmp_path, None)
    assert saved.name == "Gravelle-v2.xlsx" and saved.read_bytes() == GRAVELLE.read_bytes()


def test_a_zip_bomb_is_refused_before_it_is_read(tmp_path):
    bomb = _zip(tmp_path / "bombe.xlsx", {"xl/worksheets/sheet1.xml": b"<a>" + b" " * 50_000_000 + b"</a>"})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(InputError) as info:
        check_workbook(bomb)
    assert "se décompresse en" in str(info.value) and "bombe.xlsx" in str(info.value)
    many = _zip(tmp_path / "parts.xlsx", {f"x/{i}.xml": b"<a/>" for i in range(2100)})
    with pytest.raises(InputError, match="2100 parties"):
        check_workbook(many)


def test_xml_entities_are_refused(tmp_path):
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><w>&b;</w>'
    wb = io.BytesIO(GRAVELLE.read_bytes())
    members = {}
    with zipfile.ZipFile(wb) as z:
        for m in z.infolist():
            members[m.filename] = z.read(m)
    members["xl/sharedStrings.xml"] = laughs
    evil = _zip(tmp_path / "entites.xlsx", members)
    with pytest.raises(InputError) as info:
        check_workbook(evil, lang="en")
    assert "xl/sharedStrings.xml" in str(info.value) and "XML entities" in str(info.value)
    external = _zip(tmp_path / "x.ods", {"content.xml": b'<!DOCTYPE x SYSTEM "http://127.0.0.1:1/x"><x/>'})
    with pytest.raises(InputError, match="entités XML"):
        check_workbook(external)


def test_files_that_are_not_workbooks_are_refused(tmp_path):
    with pytest.raises(InputError, match="pas un classeur lisible"):
        save_upload([("faux.xlsx", b"not a zip at all")], tmp_path / "a", None)
    with pytest.raises(InputError, match="ni un classeur"):
        save_upload([("script.sh", b"#!/bin/sh")], tmp_path / "b", None)
    with pytest.raises(InputError, match=r"tous des \.csv"):
        save_upload([("a.csv", b"nom\n"), ("b.xlsx", GRAVELLE.read_bytes())], tmp_path / "c", None)
    with pytest.raises(InputError, match="aucun fichier"):
        save_upload([("", b"")], tmp_path / "d", None)
    folder = save_upload(
        [("acteurs.csv", b"nom\nA\n"), ("relations.csv", b"de\n")], tmp_path / "e", "mon-import"
    )
    assert folder.is_dir() and sorted(p.name for p in folder.iterdir()) == ["acteurs.csv", "relations.csv"]
    assert safe_name("../../x/y/../é t.csv") == "e-t.csv"


def test_another_address_needs_a_token():
    check_listen("127.0.0.1", None)
    check_listen("0.0.0.0", "secret")
    with pytest.raises(StoreError, match="--token"):
        check_listen("192.168.1.10", None)


# ------------------------------------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def server(data_env):
    data, store = data_env("atelier-http")
    proc, base = start_atelier(data, store, "--token", "s3cret-jeton")
    try:
        yield base, data, proc
    finally:
        stop(proc)


def _session(base: str) -> tuple[httpx.Client, str]:
    """A client that opened the workspace with its token: (client, CSRF value of its import form)."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    assert client.get("/atelier/").status_code == 403  # no token yet
    first = client.get("/atelier/?jeton=s3cret-jeton")
    assert first.status_code == 200 and "kg_atelier_jeton" in first.headers.get("set-cookie", "")
    page = client.get("/atelier/importer")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return client, found.group(1)


def test_a_token_is_required_and_the_host_must_be_this_server(server):
    base, _, _ = server
    assert httpx.get(f"{base}/atelier/").status_code == 403
    assert httpx.get(f"{base}/sparql", params={"query": "ASK {}"}).status_code == 403  # the public face too
    assert httpx.get(f"{base}/atelier/?jeton=wrong").status_code == 403
    client, _ = _session(base)
    assert client.get("/atelier/imports").status_code == 200
    rebound = client.get("/atelier/", headers={"Host": "evil.example:80"})
    assert rebound.status_code == 403 and "unknown host" in rebound.text


def test_forms_need_their_csrf_value_and_this_origin(server):
    base, data, _ = server
    client, csrf = _session(base)
    files = {"file": ("gravelle.xlsx", GRAVELLE.read_bytes())}
    # without the hidden field, with a wrong one, from another origin, said cross-site by the browser
    assert client.post("/atelier/importer", data={"owner": "X"}, files=files).status_code == 403
    assert (
        client.post("/atelier/importer", data={"owner": "X", "csrf": "x" * 43}, files=files).status_code
        == 403
    )
    other = {"Origin": "http://127.0.0.1:1"}
    refused = client.post("/atelier/importer", data={"csrf": csrf, "owner": "X"}, files=files, headers=other)
    assert refused.status_code == 403 and "autre site" in refused.text
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert (
        client.post("/atelier/importer", data={"csrf": csrf}, files=files, headers=cross).status_code == 403
    )
    assert not (data / "imports").exists()
    # with both, from this origin: the diff (nothing written before confirmation)
    ok = client.post(
        "/atelier/importer", data={"csrf": csrf, "owner": "Gravelle"}, files=files, headers={"Origin": base}
    )
    assert ok.status_code == 200 and "Confirmer l&#39;import" in ok.text
    assert not (data / "imports").exists()


def test_an_upload_past_the_limit_is_refused_before_it_is_read(server):
    base, data, _ = server
    client, csrf = _session(base)
    big = {"file": ("grand.csv", b"nom\n" + b"A" * (MAX_UPLOAD_BYTES + 10))}
    answer = client.post("/atelier/importer", data={"csrf": csrf, "owner": "X"}, files=big)
    assert answer.status_code == 413 and "Mo" in answer.text
    assert not (data / "imports").exists()


def test_every_workspace_page_sends_the_strict_policy(server):
    base, _, _ = server
    client, _ = _session(base)
    for path in (
        "/atelier/",
        "/atelier/importer",
        "/atelier/imports",
        "/atelier/explorer",
        "/atelier/recherche?q=a",
    ):
        r = client.get(path)
        policy = r.headers["content-security-policy"]
        assert r.status_code == 200, path
        assert (
            "script-src 'self'" in policy
            and "'unsafe-inline'" not in policy
            and "default-src 'self'" in policy
        )
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in r.text and " style=" not in r.text  # no inline script or style at all


def test_the_server_process_cannot_open_a_network_connection(server):
    """kg atelier denies itself the network once it listens (seccomp, where the system has it)."""
    _, _, proc = server
    status = Path(f"/proc/{proc.pid}/status").read_text()
    mode = re.search(r"^Seccomp:\s*(\d)", status, flags=re.M)
    if mode is None:  # pragma: no cover - not Linux
        pytest.skip("no seccomp on this system")
    assert mode.group(1) == "2"  # a filter is installed (the workers' own have their own processes)


def test_a_kumu_workbook_and_a_set_of_csv_files_show_their_diff(server):
    base, data, _ = server
    client, csrf = _session(base)
    kumu = FIXTURES / "kumu.xlsx"
    answer = client.post(
        "/atelier/importer",
        data={"csrf": csrf, "owner": "Réseau Kumu"},
        files={"file": ("kumu.xlsx", kumu.read_bytes())},
    )
    assert answer.status_code == 200 and "Confirmer l&#39;import" in answer.text
    assert "« kumu »" in answer.text
    csvs = [
        ("file", ("acteurs.csv", b"nom;type;commune\nAsso CSV du Val;Association;94018\n")),
        (
            "file",
            ("relations.csv", "de;vers;type de relation\nAsso CSV du Val;Le RAMEAU;Adhésion\n".encode()),
        ),
    ]
    answer = client.post("/atelier/importer", data={"csrf": csrf, "owner": "Gravelle Alliances"}, files=csvs)
    assert answer.status_code == 200 and "« acteurs »" in answer.text
    assert "Asso CSV du Val" in answer.text and "Gravelle Alliances" in answer.text
    english = client.post(
        "/atelier/importer?lang=en", data={"csrf": csrf, "owner": "Gravelle Alliances"}, files=csvs
    )
    assert "What the import will change" in english.text and "Ce que l&#39;import changera" in answer.text
    assert not (data / "imports").exists()  # nothing written before confirmation


def test_explore_a_territory_and_a_chain_then_download_what_is_on_screen(server, tmp_path):
    base, _, _ = server
    client, _ = _session(base)
    seen = {}
    for code in ("intercommunalite:200057941", "commune:94018"):
        page = client.get("/atelier/explorer", params={"territoire": code})
        assert page.status_code == 200
        view = re.search(r'src="(/atelier/vues/[0-9a-f]+)\.html"', page.text)
        assert view and f'href="/id/territory/{code.replace(":", "/")}"' in page.text
        html = client.get(view.group(1) + ".html")
        policy = html.headers["content-security-policy"]
        # the one view policy (kg.serve.headers.view_policy): scripts by hash only, inline styles allowed
        script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
        assert "'sha256-" in script_src and "'unsafe-inline'" not in script_src
        assert "connect-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
        xlsx = client.get(view.group(1) + ".xlsx")
        assert xlsx.headers["content-disposition"].startswith("attachment")
        (tmp_path / "t.xlsx").write_bytes(xlsx.content)
        import openpyxl

        names = [
            r[0] for r in openpyxl.load_workbook(tmp_path / "t.xlsx")["Acteurs"].iter_rows(values_only=True)
        ]
        seen[code] = set(names[1:])
    assert "Paris Est Marne et Bois" in seen["intercommunalite:200057941"]
    assert seen["intercommunalite:200057941"] != seen["commune:94018"]
    # a chain between two names; an unknown name gets the closest names
    found = client.get(
        "/atelier/explorer", params={"de": "Fondation TotalEnergies", "vers": "Club ESS", "k": "2"}
    )
    assert found.text.count('<article class="chain">') == 2 and "Fonds ODD17 finance Club ESS" in found.text
    other = client.get("/atelier/explorer", params={"de": "le rameau", "vers": "vitawin", "k": "1"})
    heads = re.findall(r"<h3>(.*?)</h3>", other.text)
    assert len(heads) == 1 and heads[0].startswith("1. Le RAMEAU → ") and "VitaWin" in heads[0]
    assert "Fonds ODD17" not in heads[0] and "Fonds ODD17" in re.findall(r"<h3>(.*?)</h3>", found.text)[0]
    unknown = client.get("/atelier/explorer", params={"de": "Fondation TotalEnergie", "vers": "Club ESS"})
    assert unknown.status_code == 404 and "Fondation TotalEnergies" in unknown.text


def test_a_confirmation_writes_only_what_the_catalyst_saw(server):
    """Two checks of the same workbook, the second confirmed first: the first's confirmation no longer
    matches the project, so it shows the new diff (nothing to add now) instead of writing."""
    base, data, _ = server
    client, csrf = _session(base)
    files = {"file": ("gravelle.xlsx", GRAVELLE.read_bytes())}
    ids = []
    for _ in range(2):
        shown = client.post(
            "/atelier/importer", data={"csrf": csrf, "owner": "Gravelle Alliances"}, files=files
        )
        ids.append(re.search(r'name="upload" value="([^"]+)"', shown.text).group(1))  # type: ignore[union-attr]
    done = client.post("/atelier/importer/confirmer", data={"csrf": csrf, "upload": ids[1]})
    assert done.status_code == 200 and "écrit" in done.text
    # what was written, grouped by kind as the check showed it (a Kumu workbook writes hundreds of items)
    written = re.search(r"écrit : (\d+) ajoutés", done.text)
    groups = re.findall(r"<summary>([^<(]+) \((\d+)\)</summary>", done.text)
    assert written and len(groups) > 1 and sum(int(n) for _, n in groups) == int(written.group(1)), groups
    versions = (data / "imports" / "gravelle" / "import.yaml").read_text()
    again = client.post("/atelier/importer/confirmer", data={"csrf": csrf, "upload": ids[0]})
    assert again.status_code == 409 and "Le projet a changé depuis la vérification" in again.text
    assert "ajoutés : <strong>0</strong>" in again.text
    assert (data / "imports" / "gravelle" / "import.yaml").read_text() == versions  # still version 1
    gone = client.post("/atelier/importer/confirmer", data={"csrf": csrf, "upload": "unknown"})
    assert gone.status_code == 404
    # a second catalyst checks the same workbook: nothing of its own, told whose records they are
    second = client.post("/atelier/importer", data={"csrf": csrf, "owner": "Réseau Est"}, files=files)
    text = html.unescape(second.text)
    assert "votre fichier serait l'import « gravelle-2 »" in text, text
    held = re.search(r'<p class="held">([^<]+)</p>', text)
    assert held and "est déjà dans le graphe (" in held.group(1), text
    assert "ligne(s) dans l'import « gravelle » de « Gravelle Alliances »" in held.group(1)
    assert "aucun import n'est créé pour ce fichier" in held.group(1) and 'name="upload"' not in text
