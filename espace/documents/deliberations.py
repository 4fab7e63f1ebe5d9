"""Guarantee deliberation templates, prefilled from a loan: DOCX and ODT a town hall can edit, and PDF.

The wording is data (`DeliberationTemplate`, edited by staff). It is rendered by a sandbox of our
own, not by a template engine: the only thing it can do is replace `{{ name }}` by one of the
values below, computed here from the loan as plain strings. No tag, no filter, no attribute
lookup, so a template can reach neither the database nor the settings. A template naming an
unknown placeholder, or holding `{%` / `{#`, is refused when staff save it.

Layout in the text: `# ` starts the title, `## ` a heading, `- ` a list item; a blank line
separates paragraphs (consecutive lines of a paragraph are joined).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import docx
import odfdo
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from docx.shared import Pt

from espace.core import clock, formats
from espace.core.pdf import render_pdf
from espace.documents.models import DeliberationTemplate
from espace.establishments.models import Establishment
from espace.loan_requests.models import PlannedGuarantee, RequestLine
from espace.portfolio.models import FinancingLine, Guarantee
from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS, REVISION_LABELS, RateIndex
from espace.products.selectors import livret_a_floor, livret_a_today

HUNDRED = Decimal(100)

# Every placeholder a template may use, with what it becomes (shown to staff next to the editor).
PLACEHOLDERS: dict[str, str] = {
    "garant": "raison sociale du garant",
    "garant_representant": "titre de son représentant légal (« Monsieur le Maire »)",
    "garant_commune": "commune du garant",
    "emprunteur": "raison sociale de l'emprunteur",
    "emprunteur_adresse": "adresse de l'emprunteur",
    "preteur": "nom du prêteur",
    "contrat": "numéro du contrat de prêt",
    "date_contrat": "date de signature du contrat",
    "ligne": "numéro de la ligne de prêt",
    "produit": "produit (PLUS, PLAI…)",
    "produit_nom_complet": "nom complet du produit",
    "objet": "objet de l'opération financée",
    "montant": "montant de la ligne",
    "duree": "durée d'amortissement",
    "periodicite": "périodicité des échéances",
    "prefinancement": "durée du préfinancement (ou « sans préfinancement »)",
    "taux": "taux : index + marge (ou taux fixe)",
    "taux_actuel": "taux en vigueur à la date du document",
    "revision": "mode de révision",
    "profil": "profil d'amortissement",
    "progressivite": "progressivité annuelle des échéances",
    "quotite": "quotité garantie",
    "montant_garanti": "montant garanti (quotité × montant)",
    "date": "date du document",
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
FORBIDDEN_SYNTAX = re.compile(r"\{%|%\}|\{#|#\}")


class TemplateSyntaxProblem(ValueError):
    """The wording cannot be used; the message is French and names what to change."""


def template_check(body: str) -> None:
    """Refuse tags, comments, malformed or unknown placeholders (called before a version is saved)."""
    if FORBIDDEN_SYNTAX.search(body):
        raise TemplateSyntaxProblem(
            "Les balises {% … %} et {# … #} ne sont pas acceptées : seules les variables {{ … }} le sont."
        )
    unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        raise TemplateSyntaxProblem(
            "Variable inconnue : "
            + ", ".join("{{ " + name + " }}" for name in unknown)
            + ". Utilisez celles de la liste."
        )
    leftover = PLACEHOLDER.sub("", body)
    if "{{" in leftover or "}}" in leftover:
        raise TemplateSyntaxProblem("Une variable est mal écrite : elle s'écrit {{ nom }}, avec un nom de la liste.")
    if not body.strip():
        raise TemplateSyntaxProblem("Le texte du modèle est vide.")


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "heading", "paragraph", "item"
    text: str


def _fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)


def blocks_render(body: str, values: dict[str, str]) -> list[Block]:
    """The wording's layout, then its placeholders filled (a value can never add a heading)."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(Block("heading", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("title", line[2:].strip()))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("item", line[2:].strip()))
        else:
            paragraph.append(line)
    flush()
    return [Block(block.kind, _fill(block.text, values)) for block in blocks]


def _long_date(day: date) -> str:
    text = date_filter(day, "j F Y")
    return "1er" + text[1:] if text.startswith("1 ") else text


def _duration(years: int) -> str:
    return f"{years} an{'s' if years > 1 else ''}"


def _rate_texts(*, fixed_rate: Decimal | None, margin: Decimal) -> tuple[str, Decimal]:
    """« Livret A + 0,60 % » (or « taux fixe de … ») and the rate it gives today (fractions)."""
    if fixed_rate is not None:
        return f"taux fixe de {formats.percent(fixed_rate)}", fixed_rate
    sign = "+" if margin >= 0 else "−"
    index_today = max(livret_a_today().index_rate, livret_a_floor())
    return f"Livret A {sign} {formats.percent(abs(margin))}", max(index_today + margin, Decimal(0))


def _common_values(
    *,
    borrower: Establishment,
    guarantor: Establishment | None,
    share: Decimal,
    amount: Decimal,
    terms: RequestLine | FinancingLine,
    rate: tuple[str, Decimal],
    today: date,
) -> dict[str, str]:
    """What every deliberation states: the parties, the amount and terms, the guaranteed share."""
    return {
        "garant": guarantor.legal_name if guarantor else "CGLLS",
        "garant_representant": guarantor.legal_representative_title if guarantor else "",
        "garant_commune": guarantor.city if guarantor else "",
        "emprunteur": borrower.legal_name,
        "emprunteur_adresse": ", ".join(
            part
            for part in (borrower.address_line1, borrower.address_line2, f"{borrower.postal_code} {borrower.city}")
            if part
        ),
        "preteur": settings.LENDER_NAME,
        "montant": formats.euros(amount),
        "duree": _duration(terms.duration_years),
        "periodicite": str(PERIODICITY_LABELS.get(terms.periodicity, terms.periodicity)).lower(),
        "prefinancement": f"{terms.prefinancing_months} mois" if terms.prefinancing_months else "sans préfinancement",
        "taux": rate[0],
        "taux_actuel": formats.percent(rate[1]),
        "revision": str(REVISION_LABELS.get(terms.revision, terms.revision)).lower(),
        "profil": str(PROFILE_LABELS.get(terms.profile, terms.profile)).lower(),
        "progressivite": formats.percent(terms.progression),
        "quotite": formats.percent_points(share),
        "montant_garanti": formats.euros((amount * share / HUNDRED).quantize(Decimal("0.01"))),
        "date": _long_date(today),
    }


def deliberation_values(line: FinancingLine, guarantee: Guarantee, *, today: date) -> dict[str, str]:
    """The placeholders' values for one guarantee of a line (the guarantor's share)."""
    fixed = line.fixed_rate if line.rate_index == RateIndex.FIXED else None
    return {
        **_common_values(
            borrower=line.contract.borrower,
            guarantor=guarantee.guarantor,
            share=guarantee.share_percent,
            amount=line.principal,
            terms=line,
            rate=_rate_texts(fixed_rate=fixed, margin=line.margin),
            today=today,
        ),
        "contrat": line.contract.number,
        "date_contrat": _long_date(line.contract.signed_on),
        "ligne": line.number,
        "produit": line.product.name,
        "produit_nom_complet": line.product.full_name,
        "objet": line.product.purpose or line.product.full_name,
    }


def request_deliberation_values(guarantee: PlannedGuarantee, *, today: date) -> dict[str, str]:
    """The placeholders' values for a guarantee planned in a loan request (before the contract):
    the operation's own purpose, the dossier number for the contract, today's product rate."""
    line = guarantee.line
    loan_request = line.request
    product = line.product
    fixed = (
        product.fixed_rate_percent / HUNDRED
        if product.index == RateIndex.FIXED and product.fixed_rate_percent is not None
        else None
    )
    place = ", ".join(
        part for part in (loan_request.address, f"{loan_request.postal_code} {loan_request.commune}".strip()) if part
    )
    nature = loan_request.get_nature_display() if loan_request.nature else ""
    purpose = f"{nature} — « {loan_request.name} »" if nature else f"« {loan_request.name} »"
    return {
        **_common_values(
            borrower=loan_request.establishment,
            guarantor=guarantee.guarantor,
            share=guarantee.share_percent,
            amount=line.amount,
            terms=line,
            rate=_rate_texts(fixed_rate=fixed, margin=product.margin_percent / HUNDRED),
            today=today,
        ),
        "contrat": f"à conclure (dossier {loan_request.dossier_number or 'en préparation'})",
        "date_contrat": "à venir",
        "ligne": f"{product.name} de la demande « {loan_request.name} »",
        "produit": product.name,
        "produit_nom_complet": product.full_name,
        "objet": f"{purpose}{', ' + place if place else ''}",
    }


# The loan of the back office's preview: fictional, and says so.
SAMPLE_VALUES: dict[str, str] = {
    "garant": "COMMUNE D'EXEMPLE",
    "garant_representant": "Madame la Maire",
    "garant_commune": "Exempleville",
    "emprunteur": "OFFICE PUBLIC DE L'HABITAT D'EXEMPLE",
    "emprunteur_adresse": "1 place de l'Exemple, 99000 Exempleville",
    "preteur": "",  # the lender's name, filled when used
    "contrat": "C0000000",
    "date_contrat": "1er mars 2026",
    "ligne": "L0000000",
    "produit": "PLUS",
    "produit_nom_complet": "Prêt locatif à usage social",
    "objet": "La construction de 24 logements locatifs sociaux (exemple).",
    "montant": formats.euros(Decimal("1000000")),
    "duree": "40 ans",
    "periodicite": "annuelle",
    "prefinancement": "24 mois",
    "taux": f"Livret A + {formats.percent(Decimal('0.006'))}",
    "taux_actuel": formats.percent(Decimal("0.021")),
    "revision": "révision simple",
    "profil": "échéance prioritaire (amortissement déduit)",
    "progressivite": formats.percent(Decimal(0)),
    "quotite": formats.percent_points(Decimal(50)),
    "montant_garanti": formats.euros(Decimal("500000")),
    "date": "",
}


def sample_values() -> dict[str, str]:
    return {**SAMPLE_VALUES, "preteur": settings.LENDER_NAME, "date": _long_date(clock.today())}


def version_label(template: DeliberationTemplate) -> str:
    """« modèle version N du JJ/MM/AAAA », which every generated document names."""
    return f"modèle version {template.number} du {timezone.localdate(template.created_at):%d/%m/%Y}"


@dataclass(frozen=True)
class Deliberation:
    title: str
    blocks: list[Block]
    footer: str  # names the template version the document comes from
    file_stem: str


def deliberation_build(template: DeliberationTemplate, values: dict[str, str], *, file_stem: str) -> Deliberation:
    footer = (
        f"Document préparé par {settings.LENDER_NAME} le {clock.today():%d/%m/%Y} à partir du "
        f"{version_label(template)}. Texte modifiable : il appartient à l'assemblée délibérante de l'adopter."
    )
    return Deliberation(
        title=_fill(template.title, values),
        blocks=blocks_render(template.body, values),
        footer=footer,
        file_stem=file_stem,
    )


def deliberation_docx(deliberation: Deliberation) -> bytes:
    document = docx.Document()
    document.core_properties.title = deliberation.title
    document.core_properties.author = settings.LENDER_NAME
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for block in deliberation.blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "item":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            document.add_paragraph(block.text)
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = deliberation.footer
    for run in footer.runs:
        run.font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def deliberation_odt(deliberation: Deliberation) -> bytes:
    document = odfdo.Document("text")
    body = document.body
    body.clear()
    items: list[str] = []

    def flush_items() -> None:
        if items:
            body.append(odfdo.List(list(items)))
            items.clear()

    for block in deliberation.blocks:
        if block.kind == "item":
            items.append(block.text)
            continue
        flush_items()
        if block.kind == "title":
            body.append(odfdo.Header(1, block.text))
        elif block.kind == "heading":
            body.append(odfdo.Header(2, block.text))
        else:
            body.append(odfdo.Paragraph(block.text))
    flush_items()
    body.append(odfdo.Paragraph(deliberation.footer))
    document.meta.set_title(deliberation.title)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def deliberation_pdf(deliberation: Deliberation) -> bytes:
    return render_pdf(template="documents/deliberation_pdf.html", context={"deliberation": deliberation})
