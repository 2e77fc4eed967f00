// The public board in the browser: applying /live deltas to it, and drawing it.
// The markup mirrors templates/live/_board.html and _medals.html (the server draws the
// first view, these functions every later one): change both together.
// L is the page's translated words (app/web/live/labels.py client_labels()).

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// "{n} places" with {n: 3} -> "3 places"; the templates come translated from the server.
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (whole, key) =>
    key in values ? String(values[key]) : whole);
}

// ---------------------------------------------------------------- the board's data

// The server's order (public_view.row_order): ranked rows by rank, then the unranked,
// each by competitor id.
export function rowOrder(a, b) {
  const unrankedA = a.rank === null || a.rank === undefined;
  const unrankedB = b.rank === null || b.rank === undefined;
  if (unrankedA !== unrankedB) return unrankedA ? 1 : -1;
  if (!unrankedA && a.rank !== b.rank) return a.rank - b.rank;
  return a.competitor_id - b.competitor_id;
}

// A board_update applied to a board: header fields replaced, rows removed by id, rows
// upserted whole, then sorted (live_feed.apply_delta does the same on the server).
export function applyDelta(board, delta) {
  const rows = new Map((board.rows || []).map((row) => [row.competitor_id, row]));
  for (const id of delta.remove || []) rows.delete(id);
  for (const row of delta.upsert || []) rows.set(row.competitor_id, row);
  const next = { ...board };
  for (const [key, value] of Object.entries(delta)) {
    if (key !== "upsert" && key !== "remove" && key !== "seq") next[key] = value;
  }
  next.rows = [...rows.values()].sort(rowOrder);
  return next;
}

// ---------------------------------------------------------------- drawing

export function phaseBadge(phase, L) {
  return `<span class="lv-phase lv-phase-${esc(phase)}">${esc(L.phase[phase] || phase)}</span>`;
}

export function bannerHtml(board, L) {
  const c = board.ceremony;
  const note = c
    ? fill(L.ceremonyStep, { step: c.step, steps: c.steps }) + " · " +
      fill(L.ceremonyPending, { n: c.pending })
    : L.phaseNote[board.phase] || "";
  return `<div class="lv-banner lv-banner-${esc(board.phase)}" data-phase="${esc(board.phase)}">` +
    `${phaseBadge(board.phase, L)}<span class="lv-banner-note">${esc(note)}</span></div>`;
}

export function percentOf(progress) {
  return progress && progress.percent !== null && progress.percent !== undefined
    ? progress.percent : 0;
}

export function progressHtml(board, L) {
  const p = board.progress;
  if (!p) return "";
  const percent = percentOf(p);
  return `<div class="lv-progress" data-percent="${percent}">` +
    `<div class="lv-progress-text"><span>${esc(fill(L.progress, p))}</span>` +
    `<strong>${Math.floor(percent)}%</strong></div>` +
    `<div class="lv-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" ` +
    `aria-valuenow="${percent}"><div class="lv-bar-fill" style="width: ${percent}%"></div>` +
    `</div></div>`;
}

export function moveHtml(row, L) {
  const move = row.move || 0;
  if (move > 0) {
    return `<span class="lv-up" title="${esc(fill(L.moveUp, { n: move }))}">▲${move}</span>`;
  }
  if (move < 0) {
    return `<span class="lv-down" title="${esc(fill(L.moveDown, { n: -move }))}">▼${-move}</span>`;
  }
  return "";
}

export function awardBadge(award, L) {
  return award ? `<span class="lv-badge lv-badge-${esc(award)}">${esc(L.award[award] || award)}</span>` : "";
}

export function tieLabel(tie, L) {
  if (!tie) return "";
  const step = String(tie.step || "");
  if (tie.undecided) return L.tie.undecided;
  if (step.startsWith("module:")) return fill(L.tie.module, { letter: step.slice(7) });
  return L.tie[step] || L.tie.other;
}

export function total(value) {
  return value === null || value === undefined ? "" : Number(value).toFixed(2);
}

export function rowHtml(r, L, extraClass = "") {
  const ranked = r.rank !== null && r.rank !== undefined;
  const classes = ["lv-row"];
  if (r.award) classes.push("lv-row-" + r.award);
  if (!ranked) classes.push("lv-row-unranked");
  if (extraClass) classes.push(extraClass);
  const tie = r.tie ? `<div class="lv-tie">${esc(tieLabel(r.tie, L))}</div>` : "";
  const scale = r.scale !== null && r.scale !== undefined
    ? `<span class="lv-scale">${esc(L.scale)} ${Math.round(r.scale)}</span>` : "";
  const award = r.status !== "active"
    ? `<span class="lv-badge lv-badge-status">${esc(L.status[r.status] || r.status)}</span>`
    : awardBadge(r.award, L);
  return `<tr class="${classes.join(" ")}" data-competitor="${r.competitor_id}" ` +
    `data-rank="${ranked ? r.rank : ""}">` +
    `<td class="lv-c-rank"><span class="lv-rank">${ranked ? r.rank : "—"}</span></td>` +
    `<td class="lv-c-move">${moveHtml(r, L)}</td>` +
    `<td class="lv-c-name"><div class="lv-person">${esc(r.name)}</div>` +
    `<div class="lv-sub">${esc(r.delegation)}</div>${tie}</td>` +
    `<td class="lv-c-delegation">${esc(r.delegation)}</td>` +
    `<td class="lv-c-ws">${esc(r.workstation || "")}</td>` +
    `<td class="lv-c-total"><span class="lv-total">${total(r.total)}</span>${scale}</td>` +
    `<td class="lv-c-award">${award}</td></tr>`;
}

export function tableHead(L) {
  const c = L.col;
  return `<thead><tr><th class="lv-c-rank" scope="col">${esc(c.rank)}</th>` +
    `<th class="lv-c-move" scope="col"><span class="visually-hidden">${esc(c.change)}</span></th>` +
    `<th class="lv-c-name" scope="col">${esc(c.competitor)}</th>` +
    `<th class="lv-c-delegation" scope="col">${esc(c.delegation)}</th>` +
    `<th class="lv-c-ws" scope="col">${esc(c.workstation)}</th>` +
    `<th class="lv-c-total" scope="col">${esc(c.total)}</th>` +
    `<th class="lv-c-award" scope="col">${esc(c.award)}</th></tr></thead>`;
}

export function emptyText(board, L) {
  if (board.phase === "hidden" || board.phase === "progress") return L.phaseNote[board.phase];
  if (board.ceremony) return L.ceremonyWaiting;
  return L.noRows;
}

// rows: the rows to draw (a page of them on the projector); all by default.
export function tableHtml(board, L, rows = board.rows, rowClass = () => "") {
  if (!board.rows || !board.rows.length) {
    return `<div class="lv-empty lv-empty-${esc(board.phase)}">${esc(emptyText(board, L))}</div>`;
  }
  return `<table class="lv-table">${tableHead(L)}<tbody>` +
    rows.map((r) => rowHtml(r, L, rowClass(r))).join("") + "</tbody></table>";
}

export function boardHtml(board, L) {
  return bannerHtml(board, L) + progressHtml(board, L) + tableHtml(board, L);
}

export function medalsHtml(rows, merit, L) {
  if (!rows || !rows.length) return `<div class="lv-empty">${esc(L.noMedals)}</div>`;
  const c = L.col;
  const medal = (kind) =>
    `<th class="lv-c-medal" scope="col"><span class="lv-medal lv-medal-${kind}" ` +
    `aria-hidden="true"></span>${esc(c[kind])}</th>`;
  const head = `<thead><tr><th class="lv-c-rank" scope="col">${esc(c.rank)}</th>` +
    `<th class="lv-c-name" scope="col">${esc(c.delegation)}</th>` +
    medal("gold") + medal("silver") + medal("bronze") +
    (merit ? `<th class="lv-c-medal lv-c-merit" scope="col">${esc(merit)}</th>` : "") +
    `<th class="lv-c-points" scope="col">${esc(c.points)}</th></tr></thead>`;
  const body = rows.map((m) =>
    `<tr class="lv-row" data-delegation="${m.delegation_id}">` +
    `<td class="lv-c-rank"><span class="lv-rank">${m.rank}</span></td>` +
    `<td class="lv-c-name"><span class="lv-person">${esc(m.delegation)}</span></td>` +
    `<td class="lv-c-medal">${m.gold}</td><td class="lv-c-medal">${m.silver}</td>` +
    `<td class="lv-c-medal">${m.bronze}</td>` +
    (merit ? `<td class="lv-c-medal lv-c-merit">${m.merit}</td>` : "") +
    `<td class="lv-c-points">${m.points}</td></tr>`).join("");
  return `<table class="lv-table lv-medal-table">${head}<tbody>${body}</tbody></table>`;
}
