// Buttons marked data-print print the page (the 受講証). No inline script: the strict CSP holds.
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});
