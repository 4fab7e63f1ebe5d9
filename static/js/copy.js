// « Copier » next to a value shown once (an API token): shown only where the clipboard API exists;
// without it (or without JavaScript) the field stays selectable by hand.
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = "Jeton copié dans le presse-papiers."; },
        function () { field.select(); if (status) status.textContent = "Copie impossible : sélectionnez le jeton et copiez-le."; }
      );
    });
  });
})();
