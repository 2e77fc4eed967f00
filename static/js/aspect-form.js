// Show the measurement fields for M aspects and the four descriptors for J aspects.
(function () {
  const form = document.getElementById("aspect-form");
  if (!form) return;
  const kind = form.querySelector("select[name=kind]");
  function sync() {
    form.querySelectorAll(".sp-only-M").forEach((el) => { el.hidden = kind.value !== "M"; });
    form.querySelectorAll(".sp-only-J").forEach((el) => { el.hidden = kind.value !== "J"; });
  }
  kind.addEventListener("change", sync);
  sync();
})();
