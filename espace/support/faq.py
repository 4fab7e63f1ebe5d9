"""The assistance FAQ, answered in our own words for this service, grouped as the seed groups it.

Each entry has an anchor so screens can link to it (« Je ne connais pas mon numéro de client »…).
Answers may hold {url:name} placeholders, replaced by the view with the service's addresses.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    anchor: str
    question: str
    answer: str


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[Entry, ...]


PUBLIC_SITE = Section(
    "Le site public",
    (
        Entry(
            "navigateurs",
            "Quels navigateurs puis-je utiliser ?",
            "Les versions récentes de Firefox, Chrome, Edge et Safari. Le site n'utilise ni module complémentaire "
            "ni service extérieur : tout est servi par le site lui-même.",
        ),
        Entry(
            "mobile",
            "Le site fonctionne-t-il sur tablette et smartphone ?",
            "Oui : chaque page s'adapte aux écrans à partir de 375 pixels de large.",
        ),
        Entry(
            "telechargement",
            "Je n'arrive pas à télécharger un document PDF",
            "Le pare-feu de votre organisme bloque peut-être le téléchargement. Écrivez-nous par le formulaire de "
            "contact en précisant le document : nous vous l'enverrons par e-mail.",
        ),
        Entry(
            "eco-pret",
            "Où sont les formulaires de l'Éco-prêt ?",
            "Dans les documents de la fiche du prêt. Votre direction régionale peut aussi vous les transmettre.",
        ),
        Entry(
            "deliberation",
            "Où trouver les modèles de délibération de garantie ?",
            "Dans la rubrique « Ressources et outils » de votre page d'accueil, une fois connecté. Votre "
            "direction régionale peut aussi vous les fournir.",
        ),
        Entry(
            "foncier",
            "Où est l'outil de calcul de la part foncière ?",
            "Dans « Ressources et outils » de la page d'accueil de l'espace client, et depuis les fiches des "
            "prêts PLAI, PLS, PLUS et PLI.",
        ),
    ),
)

CLIENT_SERVICES = Section(
    "Les services en ligne « Prêts »",
    (
        Entry(
            "pour-qui",
            "À qui s'adressent les services en ligne ?",
            "Aux emprunteurs (bailleurs sociaux, collectivités, associations, établissements publics de "
            "santé…) et aux garants des prêts sur fonds d'épargne, principalement les collectivités.",
        ),
        Entry(
            "services",
            "Que puis-je faire en ligne ?",
            "Consulter une page d'accueil personnalisée, saisir et transmettre vos demandes de prêt avec leurs "
            "pièces, suivre vos dossiers en cours d'instruction, consulter vos encours et échéances (dette "
            "directe et dette garantie) et gérer les accès de vos collègues.",
        ),
        Entry(
            "ouvrir-un-compte",
            "Comment ouvrir un compte ?",
            "Munissez-vous du numéro client de votre établissement et cliquez sur « Créer mon compte » "
            "({url:registration:question}). Le premier inscrit devient administrateur : un courrier contenant son mot "
            "de passe temporaire part chez le représentant légal (directeur général, maire, président…). Ce "
            "courrier n'est pas nominatif : prévenez votre représentant légal.",
        ),
        Entry(
            "numero-client",
            "Je ne connais pas mon numéro de client",
            "Il figure sur la plupart de nos courriers : lettre d'offre, contrat, échéancier de versement, "
            "information annuelle des garants. Si vous ne le trouvez pas, écrivez-nous par le formulaire de "
            "contact ({url:support:contact}).",
        ),
        Entry(
            "zeros",
            "Faut-il saisir les 0 devant le numéro client ?",
            "Non. Si vous les saisissez quand même, ils sont ignorés.",
        ),
        Entry(
            "habiliter",
            "Administrateur : comment habiliter les autres utilisateurs ?",
            "Chacun crée son propre compte et choisit les services souhaités. Vous recevez un e-mail à chaque "
            "inscription. Dans « Administration » → « Liste des utilisateurs », cliquez sur « actif » pour "
            "valider les habilitations demandées, ou ouvrez la « fiche d'identité » pour les modifier.",
        ),
        Entry(
            "qui-cree",
            "Est-ce à l'administrateur de créer mon compte ?",
            "Non : chaque utilisateur crée son compte lui-même ; l'administrateur est prévenu et l'active.",
        ),
        Entry(
            "compte-bloque",
            "J'ai bloqué mon compte en me trompant de mot de passe",
            "Après 5 essais erronés, le compte se débloque seul au bout d'une heure. Vous pouvez aussi choisir "
            "un nouveau mot de passe avec « Mot de passe oublié » ({url:accounts:password_reset}) : cela le "
            "débloque immédiatement.",
        ),
        Entry(
            "mot-de-passe",
            "Quelles règles pour le mot de passe ?",
            "Au moins 8 caractères, avec au moins 3 des 4 catégories : majuscule, minuscule, chiffre, caractère "
            "spécial. Il ne doit contenir ni votre identifiant, ni votre nom, ni le nom ou le numéro de votre "
            "établissement, et ne pas figurer parmi les mots de passe les plus courants.",
        ),
        Entry(
            "code-temporaire",
            "Je n'arrive pas à taper le code temporaire (mot de passe temporaire du courrier)",
            "Nos codes temporaires n'utilisent que des majuscules et des chiffres sans ambiguïté (ni O ni 0, ni I "
            "ni 1) ; les espaces et les minuscules sont acceptés.",
        ),
        Entry(
            "identifiant-perdu",
            "J'ai perdu mon identifiant",
            "Utilisez « Identifiant oublié » ({url:accounts:username_reminder}) : nous l'envoyons à l'adresse "
            "e-mail de votre compte.",
        ),
        Entry(
            "courrier-non-recu",
            "Le courrier adressé au représentant légal n'est pas arrivé",
            "Depuis la page de connexion, « Suivre mon courrier d'activation » ({url:registration:tracking}) : "
            "saisissez votre identifiant puis le code à 4 chiffres reçu par e-mail ; vous voyez où en est le "
            "courrier et, 10 jours après son envoi, le bouton « Je n'ai pas reçu le courrier » en génère un "
            "nouveau avec un nouveau code temporaire (l'ancien ne fonctionnera plus ; 3 fois au plus). Au-delà, "
            "écrivez à l'assistance ({url:support:contact}).",
        ),
        Entry(
            "code-email",
            "Je ne reçois pas le code à 4 chiffres",
            "Regardez dans vos courriers indésirables et demandez à votre service informatique d'autoriser "
            "l'adresse d'envoi. L'écran du code permet d'en demander un nouveau (5 au plus, un par minute).",
        ),
        Entry(
            "code-refuse",
            "Le code à 4 chiffres est refusé",
            "Ce code n'est pas un mot de passe. Il est valable 15 minutes et 3 essais ; demandez-en un nouveau "
            "depuis l'écran du code.",
        ),
        Entry(
            "plus-de-30-jours",
            "Mon code temporaire (mot de passe temporaire) ne fonctionne plus",
            "Il n'est valable que 30 jours. Passé ce délai, renouvelez votre inscription en une étape depuis "
            "« Suivre mon courrier d'activation » ({url:registration:tracking}), avec votre identifiant et les "
            "informations déjà saisies ; ou inscrivez-vous à nouveau.",
        ),
        Entry(
            "par-email",
            "Peut-on recevoir le code temporaire par e-mail ?",
            "Non : l'envoi postal au représentant légal est la garantie que l'établissement désigne bien son "
            "administrateur ; il fait partie des conditions générales d'utilisation.",
        ),
    ),
)

SECTIONS = (CLIENT_SERVICES, PUBLIC_SITE)


def _fold(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value.casefold()) if not unicodedata.combining(c))


def faq_search(query: str) -> list[Section]:
    """Sections keeping the entries whose question or answer holds every word of the query."""
    words = [_fold(word) for word in query.split() if len(word) > 1]
    if not words:
        return list(SECTIONS)
    found = []
    for section in SECTIONS:
        entries = tuple(e for e in section.entries if all(w in _fold(f"{e.question} {e.answer}") for w in words))
        if entries:
            found.append(Section(section.title, entries))
    return found
