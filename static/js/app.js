// Shared page behaviour, without inline handlers (so a strict CSP can forbid them).
// A form with data-confirm asks before it submits (deletes, status changes).
document.addEventListener("submit", (event) => {
  const question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
