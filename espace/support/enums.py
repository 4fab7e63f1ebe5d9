from django.db import models


class Team(models.TextChoices):
    ASSISTANCE = "assistance", "Assistance utilisateurs"
    REGIONAL_OFFICE = "regional_office", "Direction régionale"


class ContactSubject(models.TextChoices):
    """The FAQ's routing: how the site works → assistance; the loan itself → the regional office."""

    REGISTRATION = "registration", "Inscription et connexion"
    LETTER_NOT_RECEIVED = "letter", "Courrier au représentant légal non reçu ou expiré"
    LOAN_REQUEST_ENTRY = "loan_request_entry", "Saisie d'une demande de prêt en ligne"
    PORTFOLIO = "portfolio", "Consultation des encours et échéances"
    PUBLIC_SITE = "public_site", "Fonctionnement du site, téléchargement de documents"
    ELIGIBILITY = "eligibility", "Éligibilité d'un projet"
    FINANCIAL_TERMS = "financial_terms", "Caractéristiques financières d'un prêt"
    CONTRACTS = "contracts", "Contrats et contractualisation"
    OTHER = "other", "Autre question"


SUBJECT_TEAM = {
    ContactSubject.REGISTRATION: Team.ASSISTANCE,
    ContactSubject.LETTER_NOT_RECEIVED: Team.ASSISTANCE,
    ContactSubject.LOAN_REQUEST_ENTRY: Team.ASSISTANCE,
    ContactSubject.PORTFOLIO: Team.ASSISTANCE,
    ContactSubject.PUBLIC_SITE: Team.ASSISTANCE,
    ContactSubject.ELIGIBILITY: Team.REGIONAL_OFFICE,
    ContactSubject.FINANCIAL_TERMS: Team.REGIONAL_OFFICE,
    ContactSubject.CONTRACTS: Team.REGIONAL_OFFICE,
    ContactSubject.OTHER: Team.ASSISTANCE,
}


class ContactStatus(models.TextChoices):
    NEW = "new", "nouvelle"
    ANSWERED = "answered", "répondue"
    CLOSED = "closed", "close"


class AuditAction(models.TextChoices):
    CONTACT_REQUEST_CREATED = "contact_request_created", "Demande de contact reçue"
    CONTACT_REQUEST_ANSWERED = "contact_request_answered", "Demande de contact répondue"
    CONTACT_REQUEST_CLOSED = "contact_request_closed", "Demande de contact close"
