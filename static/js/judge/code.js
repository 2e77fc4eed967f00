// The tablet-code sign-in: POST the code to the redeem endpoint, keep the token it
// returns in localStorage, and open the tablet page in token mode.

import { local } from "./store.js";
import { fmt } from "./view.js";

const config = JSON.parse(document.getElementById("code-config").textContent);
const T = JSON.parse(document.getElementById("code-strings").textContent);
const form = document.querySelector("[data-code-form]");
const input = document.querySelector("[data-code-input]");
const error = document.querySelector("[data-code-error]");
const submit = document.querySelector("[data-code-submit]");

function showError(text) {
  error.textContent = text;
  error.hidden = !text;
  input.classList.toggle("is-invalid", Boolean(text));
}

// The QR code the chief judge shows opens /judge/code?code=NNNNNN: prefill it.
const fromLink = new URLSearchParams(window.location.search).get("code");
if (fromLink) input.value = fromLink.replace(/\D/g, "").slice(0, 10);

input.addEventListener("input", () => {
  input.value = input.value.replace(/\D/g, "").slice(0, 10);
  showError("");
});

document.querySelectorAll("[data-key]").forEach((key) => {
  key.addEventListener("click", () => {
    if (key.dataset.key === "back") input.value = input.value.slice(0, -1);
    else if (input.value.length < 10) input.value += key.dataset.key;
    showError("");
  });
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = input.value.trim();
  if (!/^\d+$/.test(code)) {
    showError(T.enter_code);
    return;
  }
  submit.disabled = true;
  const label = submit.textContent;
  submit.textContent = T.checking;
  try {
    const response = await fetch(config.redeemUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ code }),
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok && body.token) {
      local.set("tablet", {
        token: body.token,
        project_id: body.project_id,
        judge_name: body.judge_name,
        expires_at: body.expires_at,
      });
      local.remove("assignments"); // another judge's copy must not show
      window.location.assign(config.tabletUrl);
      return;
    }
    showError((body.error && body.error.message) || fmt(T.failed, { status: response.status }));
  } catch (failure) {
    showError(T.no_network);
  } finally {
    submit.disabled = false;
    submit.textContent = label;
  }
});
