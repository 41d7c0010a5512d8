// Forms marked data-confirm="question" ask before doing something that cannot be undone from the page
// (withdrawing a report, removing someone from a household). No inline script: the strict CSP holds.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
