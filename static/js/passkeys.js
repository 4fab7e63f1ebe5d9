// « Ajouter une clé d'accès »: once django-otp-webauthn's script has registered the passkey, the
// page reloads to list it (the server put the confirmation in the page's messages).
document.addEventListener("otp_webauthn.register_complete", function () {
  window.location.reload();
});
