"""The registry of the tools: one entry per kind of saved simulation, at the addresses users know."""

from __future__ import annotations

from django.urls import resolve, reverse

from espace.simulators import views
from espace.simulators.enums import SimulationKind
from espace.simulators.tools import TOOLS


def test_every_kind_of_simulation_has_its_tool_at_its_address():
    assert set(TOOLS) == set(SimulationKind)
    addresses = {kind: reverse(tool.page_url_name) for kind, tool in TOOLS.items()}
    assert addresses == {
        SimulationKind.LOAN: "/outils/simulateur/",
        SimulationKind.LAND_SHARE: "/outils/part-fonciere/",
        SimulationKind.BALANCE: "/outils/equilibre-operation/",
    }
    for kind, address in addresses.items():
        page = resolve(address)
        assert page.func is views.tool_page and page.kwargs == {"kind": kind}
        download = resolve(reverse(f"simulators:{TOOLS[kind].url_name}_export", args=["pdf"]))
        assert download.func is views.tool_export and download.kwargs == {"kind": kind, "fmt": "pdf"}
        assert reverse(f"simulators:{TOOLS[kind].url_name}_export", args=["xlsx"]) == f"{address}export.xlsx"
