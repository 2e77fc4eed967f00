// The hall's projector (/c/<id>/screen[?name=]): large type, rotating through the boards
// with pause (button or space bar), a QR code that opens the board on a phone, and, for a
// named screen, whatever the organiser points it at from the console (screen_update):
// rotate | project | medals | ceremony.
//
// It subscribes to every project of the competition (all boards stay current, so turning
// to the next one never waits) and to the competition (medals, and the screen's orders).
import { LiveFeed, showConnection } from "./feed.js";
import {
  applyDelta, esc, fill, medalsHtml, percentOf, phaseBadge, rowHtml, tableHead, tableHtml,
} from "./render.js";

const ROWS_PER_PAGE = 10; // rows are sized so that this many fill the stage
const CEREMONY_SLOTS = 3; // hidden places drawn one by one; more are summed up in one row
const HIGHLIGHT_MS = 8000; // a place just revealed stands out this long

const config = JSON.parse(document.getElementById("lv-config").textContent);
const L = config.labels;
const stage = document.getElementById("sc-stage");
const title = document.getElementById("sc-title");
const status = document.getElementById("sc-status");
const qrBox = document.getElementById("sc-qr-code");
const nextBox = document.getElementById("sc-next");
const position = document.getElementById("sc-position");
const pauseButton = document.getElementById("sc-pause");
const timerFill = document.getElementById("sc-timer-fill");

const boards = new Map(); // "project:division" -> {project_id, division_id, code, name, division, board}
for (const entry of config.boards) boards.set(keyOf(entry), entry);
let medals = config.medals || [];
let screen = config.screen; // null: rotate through every board
let slides = [];
let index = 0;
let page = 0;
let paused = false;
let timer = null;
let dueAt = 0;
let remaining = 0;
const revealedAt = new Map(); // ceremony board key -> competitor id -> when first shown

function keyOf(entry) {
  return entry.project_id + ":" + entry.division_id;
}

function rotateSeconds() {
  return (screen && screen.rotate_seconds) || config.rotateSeconds || 15;
}

// ---------------------------------------------------------------- what to show

function buildSlides() {
  const all = [...boards.values()];
  const show = screen ? screen.show : "rotate";
  if (show === "medals") return [{ kind: "medals" }];
  if (show === "project" || show === "ceremony") {
    const mine = all.filter((b) => b.project_id === screen.project_id &&
      (!screen.division_id || b.division_id === screen.division_id));
    if (show === "ceremony") return mine.length ? [{ kind: "ceremony", keys: mine.map(keyOf) }] : [];
    return mine.map((b) => ({ kind: "board", key: keyOf(b) }));
  }
  return all.map((b) => ({ kind: "board", key: keyOf(b) }));
}

// The board a ceremony slide shows: the division being revealed, else the first.
function ceremonyEntry(slide) {
  const entries = slide.keys.map((k) => boards.get(k)).filter(Boolean);
  return entries.find((e) => e.board.ceremony) ||
    entries.find((e) => e.board.phase === "published") || entries[0];
}

function pagesOf(rows) {
  const count = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
  const size = Math.ceil(rows.length / count) || 1; // balanced: 12 rows are 6 + 6
  return { count, slice: (p) => rows.slice(p * size, (p + 1) * size) };
}

function pageCount(slide) {
  if (!slide) return 1;
  if (slide.kind === "medals") return pagesOf(medals).count;
  if (slide.kind === "board") {
    const board = boards.get(slide.key).board;
    return board.ceremony ? 1 : pagesOf(board.rows || []).count;
  }
  const entry = ceremonyEntry(slide);
  return entry && !entry.board.ceremony && entry.board.phase === "published"
    ? pagesOf(entry.board.rows || []).count : 1;
}

// ---------------------------------------------------------------- drawing

function draw() {
  const slide = slides[index];
  sizeRows();
  if (!slide) {
    // Nothing to show (a competition without projects yet): the server's title stays.
    status.innerHTML = "";
    stage.innerHTML = `<div class="lv-empty">${esc(L.noRows)}</div>`;
    showQr(null);
  } else if (slide.kind === "medals") {
    drawMedals();
  } else if (slide.kind === "board") {
    // A board in its ceremony is shown as the ceremony, whichever way the screen got to it.
    const entry = boards.get(slide.key);
    if (entry.board.ceremony) drawCeremony(entry);
    else drawBoard(entry);
  } else {
    drawCeremony(ceremonyEntry(slide));
  }
  drawFooter();
  document.body.dataset.slide = slide ? (slide.key || slide.kind) : "";
  document.body.dataset.page = String(page);
}

function sizeRows() {
  // Row height from the stage's height: ROWS_PER_PAGE rows and the head fill it exactly,
  // on a 1080p projector as on a laptop.
  const height = stage.clientHeight;
  if (height > 0) stage.style.setProperty("--sc-row", (height / (ROWS_PER_PAGE + 1.2)) + "px");
}

function heading(entry) {
  title.innerHTML = `<span class="sc-code">${esc(entry.code)}</span>${esc(entry.name)}` +
    `<span class="sc-division">${esc(entry.division)}</span>`;
}

function drawStatus(board) {
  const p = board.progress;
  const progress = p
    ? `<div class="sc-progress"><div class="sc-progress-text">${esc(fill(L.progress, p))}` +
      ` · <strong>${Math.floor(percentOf(p))}%</strong></div><div class="lv-bar">` +
      `<div class="lv-bar-fill" style="width: ${percentOf(p)}%"></div></div></div>`
    : "";
  status.innerHTML = phaseBadge(board.phase, L) + progress;
}

function drawBoard(entry) {
  const board = entry.board;
  heading(entry);
  drawStatus(board);
  const rows = board.rows || [];
  const pages = pagesOf(rows);
  page = Math.min(page, pages.count - 1);
  const note = board.phase === "frozen" || board.phase === "published"
    ? `<div class="sc-note sc-note-${esc(board.phase)}">${esc(L.phaseNote[board.phase])}</div>` : "";
  stage.innerHTML = note + tableHtml(board, L, pages.slice(page));
  stage.dataset.kind = "board";
  showQr(keyOf(entry));
}

function drawMedals() {
  title.innerHTML = esc(L.medalTable);
  status.innerHTML = "";
  const pages = pagesOf(medals);
  page = Math.min(page, pages.count - 1);
  stage.innerHTML = medalsHtml(pages.slice(page), config.merit, L);
  stage.dataset.kind = "medals";
  showQr("medals");
}

function drawCeremony(entry) {
  if (!entry) return;
  const board = entry.board;
  const c = board.ceremony;
  heading(entry);
  stage.dataset.kind = "ceremony";
  showQr(keyOf(entry));
  if (!c) {
    if (board.phase === "published") {
      drawBoard(entry);
      stage.dataset.kind = "ceremony";
      return;
    }
    status.innerHTML = phaseBadge("ceremony", L);
    stage.innerHTML = `<div class="sc-cover"><div class="sc-cover-kicker">${esc(L.phase.ceremony)}` +
      `</div><div class="sc-cover-title">${esc(entry.name)}</div>` +
      `<div class="sc-cover-note">${esc(L.ceremonyWaiting)}</div></div>`;
    return;
  }
  const done = c.step >= c.steps;
  const stepText = fill(L.ceremonyStep, { step: c.step, steps: c.steps });
  const nextText = !done && c.mode === "award" && L.awardSteps[c.step]
    ? fill(L.ceremonyNext, { award: groupLabel(c.step) }) : "";
  const pendingText = c.mode === "rank" && c.pending > 0
    ? fill(L.ceremonyPending, { n: c.pending }) : "";
  status.innerHTML = phaseBadge("ceremony", L) +
    `<div class="sc-ceremony-step"><strong>${esc(stepText)}</strong>` +
    [nextText, pendingText, done ? L.ceremonyDone : ""].filter(Boolean)
      .map((text) => `<span>${esc(text)}</span>`).join("") + "</div>";

  // Places revealed since this board was first drawn here are highlighted for a while.
  const key = keyOf(entry);
  const first = !revealedAt.has(key);
  const times = revealedAt.get(key) || new Map();
  revealedAt.set(key, times);
  const now = Date.now();
  const rows = board.rows || [];
  for (const r of rows) if (!times.has(r.competitor_id)) times.set(r.competitor_id, first ? 0 : now);
  const isNew = (r) => now - times.get(r.competitor_id) < HIGHLIGHT_MS;

  // Hidden places first (suspense at the top), then the revealed ones, best first, which
  // is also the order they were revealed in, newest first.
  const placeholders = [];
  if (c.mode === "rank" && c.pending > 0) {
    if (c.pending <= CEREMONY_SLOTS) {
      for (let rank = 1; rank <= c.pending; rank++) placeholders.push(hiddenRow(rank, L.hiddenPlace));
    } else {
      placeholders.push(hiddenRow("?", fill(L.hiddenPlaces, { first: 1, last: c.pending })));
    }
  } else if (c.mode === "award") {
    // The awards still to come, best at the top: 金牌, 银牌, …
    for (let step = L.awardSteps.length - 1; step >= c.step; step--) {
      const codes = L.awardSteps[step].codes;
      placeholders.push(hiddenRow("?", groupLabel(step) + " · " + L.hiddenPlace,
        codes.length === 1 ? "lv-row-" + codes[0] : ""));
    }
  }
  const room = Math.max(1, ROWS_PER_PAGE - placeholders.length);
  const shown = rows.slice(0, room);
  const body = placeholders.join("") +
    shown.map((r) => rowHtml(r, L, isNew(r) ? "sc-new" : "")).join("");
  stage.innerHTML = rows.length || placeholders.length
    ? `<table class="lv-table sc-ceremony-table">${tableHead(L)}<tbody>${body}</tbody></table>`
    : `<div class="sc-cover"><div class="sc-cover-note">${esc(L.ceremonyWaiting)}</div></div>`;
}

// The name of a ceremony step award by award: the merit award is the one this competition
// gives (优胜奖 or the Medallion), not both.
function groupLabel(step) {
  const group = L.awardSteps[step];
  return group.codes.length > 1 && config.merit ? config.merit : group.label;
}

function hiddenRow(rank, text, extraClass = "") {
  return `<tr class="lv-row sc-hidden-row ${extraClass}"><td class="lv-c-rank"><span class="lv-rank">` +
    `${esc(rank)}</span></td><td class="lv-c-move"></td>` +
    `<td class="lv-c-name" colspan="5"><span class="sc-hidden-text">${esc(text)}</span></td></tr>`;
}

function showQr(key) {
  const source = key && document.querySelector(`#sc-qrs [data-qr="${key}"]`);
  qrBox.innerHTML = source ? source.innerHTML : "";
  document.getElementById("sc-qr").hidden = !source;
}

function labelOf(slide) {
  if (!slide) return "";
  if (slide.kind === "medals") return L.medalTable;
  const entry = slide.kind === "board" ? boards.get(slide.key) : ceremonyEntry(slide);
  return entry ? `${entry.name} · ${entry.division}` : "";
}

function drawFooter() {
  const pages = pageCount(slides[index]);
  const parts = [];
  if (slides.length > 1) parts.push(fill(L.position, { index: index + 1, count: slides.length }));
  if (pages > 1) parts.push(fill(L.page, { page: page + 1, pages }));
  position.textContent = parts.join(" · ");
  const rotating = slides.length > 1 || pages > 1;
  pauseButton.hidden = !rotating;
  pauseButton.textContent = paused ? L.resume : L.pause;
  pauseButton.setAttribute("aria-pressed", paused ? "true" : "false");
  nextBox.innerHTML = slides.length > 1
    ? `<span class="sc-next-label">${esc(L.upNext)}</span>` +
      `<span class="sc-next-name">${esc(labelOf(slides[(index + 1) % slides.length]))}</span>`
    : "";
  document.body.dataset.paused = paused ? "1" : "0";
}

// ---------------------------------------------------------------- rotation

function schedule(ms) {
  clearTimeout(timer);
  timer = null;
  const rotating = slides.length > 1 || pageCount(slides[index]) > 1;
  timerFill.parentElement.hidden = !rotating;
  if (!rotating) return;
  remaining = ms;
  if (paused) return;
  dueAt = Date.now() + ms;
  timer = setTimeout(advance, ms);
  // The thin bar under the footer runs down the time left on this slide.
  timerFill.style.transition = "none";
  timerFill.style.width = (100 * (1 - ms / (rotateSeconds() * 1000))) + "%";
  void timerFill.offsetWidth;
  timerFill.style.transition = `width ${ms}ms linear`;
  timerFill.style.width = "100%";
}

function advance(step = 1) {
  const pages = pageCount(slides[index]);
  if (step > 0 && page + 1 < pages) {
    page += 1;
  } else if (step < 0 && page > 0) {
    page -= 1;
  } else {
    index = slides.length ? (index + step + slides.length) % slides.length : 0;
    page = step < 0 ? Math.max(0, pageCount(slides[index]) - 1) : 0;
  }
  draw();
  schedule(rotateSeconds() * 1000);
}

function setPaused(value) {
  if (value === paused) return;
  paused = value;
  if (paused) {
    remaining = Math.max(0, dueAt - Date.now());
    clearTimeout(timer);
    timer = null;
    const width = getComputedStyle(timerFill).width;
    timerFill.style.transition = "none";
    timerFill.style.width = width;
  }
  drawFooter();
  if (!paused) schedule(remaining || rotateSeconds() * 1000);
}

function restart() {
  slides = buildSlides();
  index = 0;
  page = 0;
  draw();
  schedule(rotateSeconds() * 1000);
}

pauseButton.addEventListener("click", () => {
  setPaused(!paused);
  pauseButton.blur(); // so the space bar goes to the page's handler, not the button
});
// The space bar pauses and resumes (also while the button has the focus: it would
// otherwise click it on keyup and undo the keydown's toggle); arrows step by hand.
pauseButton.addEventListener("keyup", (event) => {
  if (event.code === "Space") event.preventDefault();
});
document.addEventListener("keydown", (event) => {
  if (event.code === "Space") {
    event.preventDefault();
    if (!event.repeat) setPaused(!paused);
  } else if (event.code === "ArrowRight") {
    advance(1);
  } else if (event.code === "ArrowLeft") {
    advance(-1);
  }
});
window.addEventListener("resize", () => draw());

// ---------------------------------------------------------------- live

function redrawIf(test) {
  const slide = slides[index];
  if (slide && test(slide)) draw();
}

const feed = new LiveFeed({
  onState: (state) => showConnection(state, L, {
    pill: document.getElementById("lv-conn"),
    stale: document.getElementById("lv-stale"),
    boards: [stage],
  }),
});

const competitionParams = { competition_id: config.competitionId };
if (config.screenName) competitionParams.screen = config.screenName;
const competitionHandlers = {
  onSnapshot(ack) {
    medals = (ack.medals && ack.medals.rows) || [];
    redrawIf((slide) => slide.kind === "medals");
  },
  onEvent(event, data) {
    if (event !== "medals_update") return;
    medals = data.rows || [];
    redrawIf((slide) => slide.kind === "medals");
  },
  onScreen(data) {
    const changed = JSON.stringify(data) !== JSON.stringify(screen);
    screen = data;
    if (changed) restart();
  },
  onError() {
    // The named screen is gone: carry on as an unnamed one, rotating through every board.
    if (!competitionParams.screen) return;
    delete competitionParams.screen;
    screen = null;
    restart();
    feed.subscribe(competitionParams, null, competitionHandlers);
  },
};
feed.subscribe(competitionParams, config.seq, competitionHandlers);

const projects = new Map();
for (const entry of boards.values()) {
  if (!projects.has(entry.project_id)) projects.set(entry.project_id, entry.seq);
}
for (const [projectId, seq] of projects) {
  feed.subscribe({ project_id: projectId }, seq, {
    onSnapshot(ack) {
      for (const board of ack.boards || []) {
        const entry = boards.get(keyOf(board));
        if (entry) entry.board = board;
      }
      redrawIf((slide) => slide.kind !== "medals");
    },
    onEvent(event, data) {
      const entry = boards.get(keyOf(data));
      if (event !== "board_update" || !entry) return;
      entry.board = applyDelta(entry.board, data);
      redrawIf((slide) => slide.kind === "ceremony"
        ? slide.keys.includes(keyOf(entry)) : slide.key === keyOf(entry));
    },
  });
}

window.__screen = { boards, get slides() { return slides; }, get index() { return index; } };
restart();
