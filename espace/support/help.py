"""Step-by-step help pages. Screenshots are taken by the browser tests (tests/e2e), so they stay true."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    image: str  # under static/help/


@dataclass(frozen=True)
class HelpPage:
    title: str
    intro: str
    steps: tuple[Step, ...]


HELP_PAGES = {
    "inscription": HelpPage(
        "S'inscrire en ligne",
        "Les services en ligne « Prêts » sont réservés aux clients emprunteurs et garants. Munissez-vous du numéro "
        "client de votre établissement. Le premier inscrit devient administrateur ; les suivants sont validés par "
        "lui.",
        (
            Step(
                "1. Accès depuis la page d'accueil",
                "Cliquez sur « Inscrivez-vous », puis répondez OUI à la question sur les services en ligne « Prêts ».",
                "help/inscription-1-accueil.png",
            ),
            Step(
                "2. Etape 1/2 : numéro client",
                "Saisissez votre numéro client sans les 0 qui le précèdent. La vérification anti-robot se fait "
                "seule ; cliquez sur « Valider ».",
                "help/inscription-2-numero-client.png",
            ),
            Step(
                "3. CAS 1 : vous êtes le premier utilisateur",
                "Acceptez le rôle d'administrateur et les CGU. Un courrier contenant votre code temporaire "
                "sera adressé à votre représentant légal : prévenez-le.",
                "help/inscription-3-administrateur.png",
            ),
            Step(
                "4. Votre identité",
                "Choisissez votre identifiant (ni le nom ni le numéro de l'établissement) et indiquez votre "
                "adresse e-mail.",
                "help/inscription-4-identite.png",
            ),
            Step(
                "5. Le code à 4 chiffres",
                "Saisissez le code reçu par e-mail (valable 15 minutes). Ce n'est pas votre mot de passe.",
                "help/inscription-5-code.png",
            ),
            Step(
                "6. Compte créé",
                "Vous disposez de 30 jours pour activer votre compte avec le code temporaire du courrier.",
                "help/inscription-6-termine.png",
            ),
            Step(
                "CAS 2 : un administrateur existe déjà",
                "Choisissez votre mot de passe et les services souhaités ; votre administrateur validera votre "
                "inscription et vous serez prévenu par e-mail.",
                "help/inscription-7-utilisateur.png",
            ),
        ),
    ),
    "premiere-connexion": HelpPage(
        "Votre première connexion",
        "Administrateur : votre représentant légal vous remet le code temporaire reçu par courrier.",
        (
            Step(
                "1. Connexion avec le code temporaire",
                "Saisissez votre identifiant et le code temporaire (les espaces et minuscules sont acceptés).",
                "help/premiere-connexion-1-connexion.png",
            ),
            Step(
                "2. Choisissez votre mot de passe",
                "Au moins 8 caractères, avec 3 des 4 catégories : majuscule, minuscule, chiffre, caractère spécial.",
                "help/premiere-connexion-2-mot-de-passe.png",
            ),
            Step(
                "3. Votre page d'accueil",
                "Votre compte est actif avec toutes les habilitations, dont « Administration ».",
                "help/premiere-connexion-3-accueil.png",
            ),
        ),
    ),
    "double-authentification": HelpPage(
        "La double authentification",
        "Après votre mot de passe, un second élément prouve que c'est bien vous : le code d'une application de "
        "votre téléphone, ou une clé d'accès. Votre établissement peut l'imposer ; sinon, activez-la depuis "
        "« Mon compte ».",
        (
            Step(
                "1. Activez l'application",
                "« Mon compte » → « Double authentification » : scannez le QR code avec une application "
                "d'authentification (ou saisissez la clé), puis saisissez le code à 6 chiffres qu'elle affiche.",
                "help/double-authentification-1-activation.png",
            ),
            Step(
                "2. Notez vos codes de secours",
                "Ils ne sont affichés qu'une fois. Sans votre téléphone, chacun remplace le code une fois.",
                "help/double-authentification-2-codes.png",
            ),
            Step(
                "3. Ajoutez une clé d'accès (facultatif)",
                "« Ajouter une clé d'accès » : votre appareil vous demande votre empreinte, votre visage, son code ou "
                "votre clé de sécurité USB. Vous pouvez en ajouter plusieurs et les supprimer.",
                "help/double-authentification-3-cle-d-acces.png",
            ),
            Step(
                "4. À chaque connexion",
                "Après votre mot de passe, cliquez sur « Utiliser ma clé d'accès » ou saisissez le code de "
                "l'application (ou un code de secours). Téléphone et codes perdus : l'administrateur de votre "
                "établissement réinitialise votre double authentification depuis votre « fiche d'identité ».",
                "help/double-authentification-4-connexion.png",
            ),
        ),
    ),
}
