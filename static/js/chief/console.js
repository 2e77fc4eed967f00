// The chief judge's console, live. Marks arrive over the /staff socket and fill their
// cell at once; a moment later the server re-renders the grid, the progress and the
// tolerance queue (GET …/live) and the page swaps them in, so statuses, aspect marks and
// totals are always the server's own. Every (re)connection refreshes too: nothing
// missed while the socket was down stays missing.
(function () {
  "use strict";

  const configNode = document.getElementById("cj-config");
  if (!configNode || typeof io !== "function") return;
  const config = JSON.parse(configNode.textContent);
  const indicator = document.getElementById("cj-connection");
  const REGIONS = ["cj-progress", "cj-queue", "cj-grid"];
  const STATUSES = ["cj-empty", "cj-draft", "cj-rediscuss", "cj-submitted"];
  const REFRESH_DELAY_MS = 500; // marks come in bursts: one refresh per burst
  const FLASH_MS = 2000;

  let timer = null;
  let inFlight = false;
  let again = false;
  const changed = new Map(); // data-k of a cell -> when a mark changed it

  function setConnection(state) {
    if (!indicator) return;
    indicator.classList.remove("is-live", "is-connecting", "is-offline");
    indicator.classList.add("is-" + state);
    indicator.querySelector(".cj-connection-text").textContent = indicator.dataset[state] || state;
  }

  function format(value) {
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  }

  function flash(cell) {
    cell.classList.remove("cj-flash");
    void cell.offsetWidth; // restart the animation
    cell.classList.add("cj-flash");
  }

  function applyMark(mark) {
    if (mark.module_id !== config.moduleId) return;
    const key = mark.competitor_id + "-" + mark.aspect_id;
    const judgeCell = document.querySelector('[data-k="' + key + "-" + mark.judge_id + '"]');
    const cell = judgeCell || document.querySelector('[data-k="' + key + '-m"]');
    if (cell) {
      cell.textContent = format(mark.value);
      changed.set(cell.dataset.k, Date.now());
      flash(cell);
    }
    // A J aspect's status comes with the mark; an M aspect's waits for the refresh,
    // which also compares the entries of different judges.
    if (judgeCell && mark.aspect_status) {
      for (const node of document.querySelectorAll('[data-a="' + key + '"]')) {
        // A judge who has not scored yet keeps a plain cell, as the server draws it.
        if (node.dataset.k && node.textContent.trim() === "") continue;
        node.classList.remove(...STATUSES);
        node.classList.add("cj-" + mark.aspect_status);
      }
    }
    scheduleRefresh();
  }

  function scheduleRefresh() {
    clearTimeout(timer);
    timer = setTimeout(refresh, REFRESH_DELAY_MS);
  }

  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const response = await fetch(config.liveUrl, {
        credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store",
      });
      if (response.ok) swap(await response.text());
    } catch (error) {
      // Offline for a moment: the next mark or reconnection refreshes again.
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        scheduleRefresh();
      }
    }
  }

  function swap(html) {
    const fresh = new DOMParser().parseFromString(html, "text/html");
    for (const id of REGIONS) {
      const next = fresh.getElementById(id);
      const current = document.getElementById(id);
      if (!next || !current) continue;
      // The grid scrolls on its own: keep the chief's place in it.
      const left = current.scrollLeft;
      const top = current.scrollTop;
      current.replaceWith(next);
      next.scrollLeft = left;
      next.scrollTop = top;
    }
    const now = Date.now();
    for (const [key, at] of changed) {
      if (now - at > FLASH_MS) {
        changed.delete(key);
        continue;
      }
      const cell = document.querySelector('[data-k="' + key + '"]');
      if (cell) cell.classList.add("cj-flash");
    }
    document.body.dataset.refreshedAt = String(now); // for tests and the curious
  }

  // The chief's own lock or substitution is pushed back to this page while its form is
  // still on the way: the form's response replaces the page anyway, so never reload then.
  let leaving = false;
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) leaving = true;
  });
  window.addEventListener("pageshow", () => {
    leaving = false;
  });

  function reloadWhenIdle() {
    if (leaving) return;
    // Do not throw away what the chief is typing (an unlock reason, a choice).
    const active = document.activeElement;
    const typing = active && ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName);
    if (!typing) {
      window.location.reload();
      return;
    }
    if (document.getElementById("cj-changed")) return;
    const note = document.createElement("div");
    note.id = "cj-changed";
    note.className = "alert alert-warning cj-changed";
    note.setAttribute("role", "status");
    note.textContent = config.changedNotice;
    document.querySelector("main").prepend(note);
  }

  const socket = io("/staff", { auth: { token: config.token, project_id: config.projectId } });
  socket.on("connect", () => {
    setConnection("live");
    refresh();
  });
  socket.on("disconnect", () => setConnection("offline"));
  socket.on("connect_error", () => setConnection("offline"));
  socket.on("mark", applyMark);
  socket.on("module_lock", reloadWhenIdle);
  socket.on("substitute", reloadWhenIdle);
})();
