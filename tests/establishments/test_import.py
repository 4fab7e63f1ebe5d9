from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from espace.core.csvimport import ImportFileError
from espace.establishments.models import Establishment
from espace.establishments.services import establishments_import

pytestmark = pytest.mark.django_db

HEADER = "client_number;legal_name;kind;borrower;guarantor;legal_representative_title;address_line1;address_line2;postal_code;city;regional_office;active\n"
GOOD = (
    "000237517;SOC COOP HABITATION LOYER MODERE;social_landlord;oui;non;Monsieur le Directeur général;"
    "12 rue des Tanneurs;;69002;Lyon;DR Auvergne-Rhône-Alpes;oui\n"
    "104233;COMMUNE DE SAINT-ANDRE;Commune;oui;oui;Monsieur le Maire;1 place de la Mairie;;10120;Saint-André;;oui\n"
)
BAD = (
    "12A45;X;commune;oui;non;Monsieur le Maire;1 rue;;10000;Troyes;;oui\n"
    "55555;Y;planète;oui;non;Monsieur le Maire;1 rue;;10000;Troyes;;oui\n"
    "66666;;commune;oui;non;Monsieur le Maire;1 rue;;10000;Troyes;;oui\n"
    "77777;Z;commune;non;non;Monsieur le Maire;1 rue;;10000;Troyes;;oui\n"
    "104233;DOUBLON;commune;oui;oui;Monsieur le Maire;1 rue;;10000;Troyes;;oui\n"
)


def test_good_rows_imported_bad_rows_reported_with_line_numbers():
    report = establishments_import(raw=(HEADER + GOOD + BAD).encode())
    assert report.created == 2
    assert [e.line for e in report.errors] == [4, 5, 6, 7, 8]
    assert "numéro client" in report.errors[0].reason
    assert "catégorie" in report.errors[1].reason
    assert "legal_name" in report.errors[2].reason
    assert "en double" in report.errors[4].reason
    establishment = Establishment.objects.get(client_number="237517")  # leading zeros stripped
    assert establishment.regional_office is not None
    assert Establishment.objects.get(client_number="104233").is_guarantor


def test_rerun_changes_nothing_and_changed_rows_are_updated():
    establishments_import(raw=(HEADER + GOOD).encode())
    again = establishments_import(raw=(HEADER + GOOD).encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = establishments_import(raw=(HEADER + GOOD.replace("Lyon", "Villeurbanne")).encode())
    assert (changed.created, changed.updated) == (0, 1)
    assert Establishment.objects.get(client_number="237517").city == "Villeurbanne"


def test_comma_separated_file_is_accepted():
    csv = (
        HEADER.replace(";", ",")
        + "287576,OPH MONTREUIL,social_landlord,oui,non,Madame la Directrice,4 place Jaurès,,93100,Montreuil,,oui\n"
    )
    assert establishments_import(raw=csv.encode()).created == 1


def test_dry_run_writes_nothing():
    report = establishments_import(raw=(HEADER + GOOD).encode(), dry_run=True)
    assert report.created == 2
    assert Establishment.objects.count() == 0


def test_file_not_utf8_or_without_header_is_refused():
    with pytest.raises(ImportFileError):
        establishments_import(raw=(HEADER + GOOD).encode("latin-1"))
    with pytest.raises(ImportFileError):
        establishments_import(raw=b"a;b\n1;2\n")


def test_command_reports_bad_rows_and_exits_non_zero(tmp_path: Path, capsys):
    path = tmp_path / "clients.csv"
    path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_establishments", str(path))
    assert error.value.returncode == 1
    captured = capsys.readouterr()
    assert "ligne 4 :" in captured.err
    assert "2 créé(s)" in captured.out
    assert Establishment.objects.count() == 2


def test_command_success_exits_zero(tmp_path: Path, capsys):
    path = tmp_path / "clients.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    call_command("import_establishments", str(path))
    assert "2 créé(s)" in capsys.readouterr().out


def test_admin_search_accepts_leading_zeros(admin_client):
    establishments_import(raw=(HEADER + GOOD).encode())
    response = admin_client.get("/gestion/establishments/establishment/", {"q": "000237517"})
    assert response.status_code == 200
    assert "SOC COOP HABITATION" in response.content.decode().replace("&#x27;", "'")
