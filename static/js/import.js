// Spreadsheet upload with a progress bar. The form works without this script (a plain
// multipart post); with it, the file goes by XHR so the upload's progress can be shown,
// and the server answers JSON: {redirect: url} or {errors: [message, ...]}.
(() => {
  const form = document.querySelector("form[data-import-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  const progress = form.querySelector("[data-progress]");
  const bar = progress.querySelector(".progress-bar");
  const status = form.querySelector("[data-status]");
  const alertBox = document.querySelector("[data-upload-errors]");
  const button = form.querySelector("button[type=submit]");
  const text = (name) => form.dataset[name] || "";

  const showErrors = (messages) => {
    alertBox.replaceChildren(...messages.map((m) => {
      const line = document.createElement("div");
      line.textContent = m;
      return line;
    }));
    alertBox.classList.remove("d-none");
    progress.classList.add("d-none");
    status.textContent = "";
    button.disabled = false;
  };

  const setProgress = (fraction) => {
    const percent = Math.round(fraction * 100);
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    progress.setAttribute("aria-valuenow", String(percent));
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) return showErrors([text("msgNoFile")]);
    const limit = Number(text("maxBytes"));
    // Refuse at once rather than send megabytes the server will refuse anyway.
    if (limit && file.size > limit) return showErrors([text("msgTooLarge")]);

    alertBox.classList.add("d-none");
    progress.classList.remove("d-none");
    button.disabled = true;
    setProgress(0);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) setProgress(e.loaded / e.total);
    });
    xhr.upload.addEventListener("load", () => {
      setProgress(1);
      status.textContent = text("msgChecking");
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status < 400 && body && body.redirect) {
        window.location.assign(body.redirect);
        return;
      }
      const messages = (body && body.errors) ||
        (body && body.error && [body.error.message]) || [text("msgFailed")];
      showErrors(messages);
    });
    xhr.addEventListener("error", () => showErrors([text("msgNetwork")]));
    xhr.send(new FormData(form));
  });
})();
