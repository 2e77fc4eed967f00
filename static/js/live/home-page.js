// The competition home: each board's phase and marking progress follow board_summary
// pushes on the competition's room.
import { LiveFeed, showConnection } from "./feed.js";
import { esc, percentOf, phaseBadge } from "./render.js";

const config = JSON.parse(document.getElementById("lv-config").textContent);
const L = config.labels;

function drawSummary(summary) {
  const item = document.querySelector(
    `[data-board="${summary.project_id}:${summary.division_id}"]`);
  if (!item) return; // a project added after this page was drawn: shown on the next visit
  item.dataset.phase = summary.phase;
  const badge = item.querySelector(".lv-phase");
  if (badge) badge.outerHTML = phaseBadge(summary.phase, L);
  const fill = item.querySelector(".lv-bar-fill");
  const percent = percentOf(summary.progress);
  if (fill) fill.style.width = percent + "%";
  const text = item.querySelector(".lv-board-percent");
  if (text) text.innerHTML = summary.progress ? esc(Math.floor(percent) + "%") : "";
}

// The competition's phase, as the server works it out (routes._overall_phase): the
// boards share it, except a board in its ceremony.
function drawOverall() {
  const banner = document.getElementById("lv-overall");
  const phases = [...document.querySelectorAll("[data-board]")].map((node) => node.dataset.phase);
  const phase = phases.find((p) => p !== "ceremony") || phases[0];
  if (!banner || !phase || banner.dataset.phase === phase) return;
  banner.dataset.phase = phase;
  banner.className = "lv-banner lv-banner-" + phase;
  banner.innerHTML = phaseBadge(phase, L) +
    `<span class="lv-banner-note">${esc(L.phaseNote[phase] || "")}</span>`;
}

const feed = new LiveFeed({
  onState: (state) => showConnection(state, L, {
    pill: document.getElementById("lv-conn"),
    stale: document.getElementById("lv-stale"),
    boards: [document.querySelector(".lv-projects")],
  }),
});

feed.subscribe({ competition_id: config.competitionId }, config.seq, {
  onSnapshot(ack) {
    for (const summary of ack.boards || []) drawSummary(summary);
    drawOverall();
  },
  onEvent(event, data) {
    if (event !== "board_summary") return;
    drawSummary(data);
    drawOverall();
  },
});
