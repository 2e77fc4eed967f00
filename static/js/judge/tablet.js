// The judge's tablet: project → competitors → modules → aspects, one aspect at a time.
// Assignments come from GET /api/v1/judge/assignments (cached for offline use); marks go
// through the outbox (outbox.js) over the /judge socket (connection.js).

import { Connection } from "./connection.js";
import { Outbox, markKey } from "./outbox.js";
import { local, openOutboxStore } from "./store.js";
import { aspectCard, aspectChip, competitorButton, fmt, h, moduleTab } from "./view.js";

const CACHE_NAME = "saiping-judge-v1";
const FETCH_TIMEOUT_MS = 10000;

const config = JSON.parse(document.getElementById("judge-config").textContent);
const T = JSON.parse(document.getElementById("judge-strings").textContent);
const $ = (selector) => document.querySelector(selector);

const state = {
  token: null,
  owner: null, // whose cached data this tablet may show: "u<user id>" or "t<token tail>"
  userId: config.userId,
  data: null,
  savedAt: null,
  fresh: false,
  view: {},
  errors: {},
  rediscuss: {},
  stopped: false,
  storeFailed: false,
  loading: false,
  loadFailed: false,
  alerts: [],
};
let marks = new Map(); // markKey -> {value, version}: what the server has acknowledged
let outbox = null;
let connection = null;

// ---------------------------------------------------------------- who is signed in

function signIn() {
  if (config.mode === "session") {
    state.token = config.token;
    state.owner = `u${config.userId}`;
    return true;
  }
  const tablet = local.get("tablet");
  if (!tablet || !tablet.token) {
    window.location.replace(config.codeUrl);
    return false;
  }
  if (tablet.expires_at && Date.parse(tablet.expires_at) <= Date.now()) {
    window.location.replace(`${config.codeUrl}?expired=1`);
    return false;
  }
  state.token = tablet.token;
  if (tablet.judge_name) $("[data-user-name]").textContent = tablet.judge_name;
  state.owner = `t${tablet.token.slice(-12)}`;
  return true;
}

// ---------------------------------------------------------------- data and cache

function loadCache() {
  const cached = local.get("assignments");
  if (!cached || cached.owner !== state.owner) return;
  state.data = cached.data;
  state.savedAt = cached.saved_at;
  state.userId = state.userId || cached.data.user.id;
}

function saveCache() {
  if (!state.data) return;
  local.set("assignments", { owner: state.owner, saved_at: state.savedAt, data: state.data });
}

function loadNotes() {
  state.errors = local.get(`errors.${state.owner}`, {});
  state.rediscuss = local.get(`rediscuss.${state.owner}`, {});
  state.view = local.get(`view.${state.owner}`, {});
}

function saveNotes() {
  local.set(`errors.${state.owner}`, state.errors);
  local.set(`rediscuss.${state.owner}`, state.rediscuss);
}

function saveView() {
  local.set(`view.${state.owner}`, state.view);
}

function indexMarks() {
  marks = new Map();
  for (const project of state.data ? state.data.projects : []) {
    for (const m of project.marks) marks.set(markKey(m.competitor_id, m.aspect_id), m);
  }
}

// Versions only grow: an ack that arrived while the download was on its way is newer
// than what the download says, and must not be forgotten.
function mergeMarks(fresh) {
  for (const project of fresh.projects) {
    const mine = new Map(project.marks.map((m) => [markKey(m.competitor_id, m.aspect_id), m]));
    for (const [key, known] of marks) {
      const [competitorId] = key.split(":").map(Number);
      if (!project.competitors.some((c) => c.id === competitorId)) continue;
      const theirs = mine.get(key);
      if (!theirs || theirs.version < known.version) mine.set(key, known);
    }
    project.marks = [...mine.values()];
  }
}

let lastFetch = 0;

async function fetchAssignments() {
  lastFetch = Date.now();
  state.loading = true;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
  try {
    const response = await fetch(config.assignmentsUrl, {
      headers: { Authorization: `Bearer ${state.token}`, Accept: "application/json" },
      cache: "no-store",
      signal: controller.signal,
    });
    if (response.status === 401 || response.status === 403) {
      stop();
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    mergeMarks(data);
    state.data = data;
    state.savedAt = new Date().toISOString();
    state.fresh = true;
    state.loadFailed = false;
    if (!state.userId || config.mode === "token") state.userId = data.user.id;
    outbox.setUser(state.userId);
    saveCache();
    indexMarks();
    outbox.pump();
  } catch (error) {
    state.loadFailed = !state.data;
    // Nothing to show yet: try again soon (a connection also triggers a download).
    if (!state.data) setTimeout(() => navigator.onLine && fetchAssignments(), 5000);
  } finally {
    state.loading = false;
    clearTimeout(timer);
    render();
  }
}

// ---------------------------------------------------------------- lookups

function projects() {
  return state.data ? state.data.projects : [];
}

function currentProject() {
  const all = projects();
  return all.find((p) => p.id === state.view.projectId) || all[0] || null;
}

function findCompetitor(project, id) {
  return project ? project.competitors.find((c) => c.id === id) || null : null;
}

function openable(c) {
  return !c.conflict || c.measurement_allowed;
}

function scorable(c, a) {
  return !c.conflict || (a.type === "M" && c.measurement_allowed);
}

function aspectState(c, a) {
  const key = markKey(c.id, a.id);
  const pending = outbox.latestFor(key);
  const mark = marks.get(key) || null;
  let value = null;
  if (pending) value = pending.value;
  else if (mark) value = mark.value;
  return {
    key,
    mark,
    pending,
    sending: outbox.isSending(pending),
    error: state.errors[key] || null,
    rediscuss: state.rediscuss[key] || null,
    blocked: !scorable(c, a),
    value,
  };
}

function progressOf(c, modules) {
  const result = { done: 0, total: 0, pending: 0 };
  for (const m of modules) {
    for (const a of m.aspects) {
      if (!scorable(c, a)) continue;
      const st = aspectState(c, a);
      result.total += 1;
      if (st.mark && !st.error && !st.rediscuss) result.done += 1;
      if (st.pending) result.pending += 1;
    }
  }
  return result;
}

function competitorLabel(c) {
  const ws = fmt(T.workstation, { number: c.workstation || "—" });
  return c.name ? `${ws} · ${c.name}` : ws;
}

// ---------------------------------------------------------------- actions

const ctx = {
  T,
  selectCompetitor(id) {
    state.view.competitorId = id;
    saveView();
    render();
  },
  selectModule(id) {
    state.view.moduleId = id;
    state.view.aspectId = null;
    saveView();
    render();
  },
  selectAspect(id) {
    state.view.aspectId = id;
    saveView();
    render();
  },
  async score(c, a, value) {
    const st = aspectState(c, a);
    if (st.blocked) return;
    const same = (v) => v !== null && Number(v) === Number(value);
    // A repeated tap changes nothing, unless the panel asked for a re-score.
    if (st.pending && same(st.pending.value)) return;
    if (!st.pending && st.mark && same(st.mark.value) && !st.rediscuss && !st.error) return;
    delete state.errors[st.key];
    saveNotes();
    await outbox.add({
      competitorId: c.id,
      aspectId: a.id,
      kind: a.type,
      value: Number(value),
      knownVersion: st.mark ? st.mark.version : 0,
    });
  },
};

function stop() {
  state.stopped = true;
  render();
}

// ---------------------------------------------------------------- answers and pushes

function moduleOfAspect(aspectId) {
  for (const p of projects()) {
    for (const m of p.modules) if (m.aspects.some((a) => a.id === aspectId)) return m;
  }
  return null;
}

function onSaved(entry, ack) {
  const mark = { competitor_id: entry.competitor_id, aspect_id: entry.aspect_id, value: entry.value, version: ack.version };
  const known = marks.get(entry.key);
  if (!known || known.version <= ack.version) {
    marks.set(entry.key, mark);
    for (const p of projects()) {
      if (!p.competitors.some((c) => c.id === entry.competitor_id)) continue;
      p.marks = p.marks.filter((m) => markKey(m.competitor_id, m.aspect_id) !== entry.key);
      p.marks.push(mark);
    }
    saveCache();
  }
  delete state.errors[entry.key];
  if (ack.status === "rediscuss") state.rediscuss[entry.key] = state.rediscuss[entry.key] || [];
  else delete state.rediscuss[entry.key];
  saveNotes();
}

function onRefused(entry, error) {
  state.errors[entry.key] = { code: error.code, message: error.message || error.code };
  saveNotes();
  if (error.code === "locked") {
    const m = moduleOfAspect(entry.aspect_id);
    if (m) m.locked = true;
    saveCache();
  }
  // The tablet's picture was out of date (another device, a lock, a reassignment):
  // download it again so the judge sees what the server has.
  if (["stale_version", "locked", "not_assigned", "conflict_of_interest", "unknown_aspect", "not_open"].includes(error.code)) {
    fetchAssignments();
  }
}

function onPush(event, data) {
  if (event === "rediscuss") {
    const key = markKey(data.competitor_id, data.aspect_id);
    state.rediscuss[key] = data.scores || [];
    saveNotes();
    state.alerts = state.alerts.filter((x) => x.key !== key);
    state.alerts.push({ key, competitorId: data.competitor_id, aspectId: data.aspect_id });
  } else if (event === "module_locked") {
    for (const p of projects()) {
      for (const m of p.modules) if (m.id === data.module_id) m.locked = Boolean(data.locked);
    }
    saveCache();
  } else if (event === "reassigned") {
    fetchAssignments();
  }
  render();
}

// ---------------------------------------------------------------- drawing

function renderStatus() {
  const conn = connection ? connection.state || "reconnecting" : "reconnecting";
  const pill = $("[data-conn]");
  pill.dataset.conn = conn;
  $("[data-conn-text]").textContent = T[conn] || conn;
  const count = outbox ? outbox.count() : 0;
  const pending = $("[data-pending]");
  pending.dataset.pending = String(count);
  $("[data-pending-count]").textContent = String(count);
  $("[data-pending-text]").textContent = count ? T.waiting_to_send : T.all_sent;
  const name = $("[data-user-name]");
  if (state.data && state.data.user && !name.textContent) {
    name.textContent = state.data.user.name || state.data.user.username;
  }
}

function renderProjectPicker(project) {
  const select = $("[data-project-select]");
  const name = $("[data-project-name]");
  const all = projects();
  select.hidden = all.length < 2;
  name.hidden = all.length >= 2;
  name.textContent = project ? `${project.code} ${project.name}` : "";
  if (project && project.encrypted) name.append(h("span", { class: "jt-encrypted" }, T.encrypted));
  if (all.length >= 2) {
    select.replaceChildren(...all.map((p) => h("option", { value: p.id, selected: p === project }, `${p.code} ${p.name}`)));
  }
}

function notice(kind, text, ...actions) {
  return h("div", { class: `jt-notice jt-notice-${kind}`, role: kind === "danger" ? "alert" : "status", "data-notice": kind },
    h("span", {}, text), ...actions);
}

function renderNotices() {
  const items = [];
  if (state.stopped) {
    const target = config.mode === "session" ? config.loginUrl : config.codeUrl;
    items.push(notice("danger", T.sign_in_again, h("a", { class: "jt-notice-btn", href: target }, T.sign_in)));
  }
  if (state.storeFailed) items.push(notice("danger", T.storage_failed));
  const others = outbox ? outbox.othersCount() : 0;
  if (others) items.push(notice("warning", fmt(T.other_user_pending, { count: others })));
  if (state.data && !state.fresh && state.savedAt) {
    const time = new Date(state.savedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    items.push(notice("info", fmt(T.offline_copy, { time })));
  }
  for (const alert of state.alerts) {
    const project = currentProject();
    const c = findCompetitor(project, alert.competitorId);
    const m = moduleOfAspect(alert.aspectId);
    if (!c || !m) continue;
    const index = m.aspects.findIndex((a) => a.id === alert.aspectId);
    const dismiss = () => {
      state.alerts = state.alerts.filter((x) => x !== alert);
      render();
    };
    items.push(notice("rediscuss",
      fmt(T.rediscuss_alert, { competitor: competitorLabel(c), aspect: `${m.letter}${index + 1}` }),
      h("button", { type: "button", class: "jt-notice-btn", onclick: () => {
        state.view = { projectId: project.id, competitorId: c.id, moduleId: m.id, aspectId: alert.aspectId };
        saveView();
        dismiss();
      } }, T.open_it),
      h("button", { type: "button", class: "jt-notice-btn jt-notice-quiet", onclick: dismiss }, T.dismiss)));
  }
  $("[data-notices]").replaceChildren(...items);
}

function renderEmpty(text) {
  $("[data-competitors]").replaceChildren();
  $("[data-main]").classList.add("is-empty");
  $("[data-work]").replaceChildren(h("p", { class: "jt-empty", "data-empty": "" }, text));
}

function render() {
  renderStatus();
  renderNotices();
  const project = currentProject();
  renderProjectPicker(project);
  if (!state.data) {
    const offline = !navigator.onLine || (connection && connection.state === "offline");
    if (offline) renderEmpty(T.no_data_offline);
    else renderEmpty(state.loadFailed ? T.load_failed : T.loading);
    return;
  }
  if (!project) return renderEmpty(T.no_projects);
  if (!project.scheme_active || !project.modules.length) return renderEmpty(T.scheme_not_active);
  const main = $("[data-main]");
  main.classList.remove("is-empty");
  const modules = project.modules;
  const c = findCompetitor(project, state.view.competitorId);
  const picking = !c || !openable(c);
  // Portrait: with nobody chosen the competitors fill the screen as a grid; once one is
  // chosen they shrink to a strip, led by a button back to the grid.
  main.classList.toggle("is-picking", picking);
  const all = h("button", { type: "button", class: "jt-comp jt-comp-all", "data-all-competitors": "",
    onclick: () => ctx.selectCompetitor(null) }, h("span", { class: "jt-comp-ws" }, `☷ ${T.all_competitors}`));
  const strip = $("[data-competitors]");
  strip.replaceChildren(
    picking ? h("p", { class: "jt-pick-hint" }, T.choose_competitor) : all,
    ...project.competitors.map((x) =>
      competitorButton(ctx, x, progressOf(x, modules), x.id === state.view.competitorId)),
  );
  if (picking) {
    $("[data-work]").replaceChildren(h("p", { class: "jt-empty", "data-empty": "" }, T.choose_competitor));
    return;
  }
  const chosen = strip.querySelector(".jt-comp.is-selected");
  if (chosen && chosen.scrollIntoView) chosen.scrollIntoView({ block: "nearest", inline: "nearest" });
  renderWork(project, c);
}

function renderWork(project, c) {
  const modules = project.modules;
  const m = modules.find((x) => x.id === state.view.moduleId) || modules[0];
  const aspects = m.aspects;
  if (!aspects.length) {
    $("[data-work]").replaceChildren(h("p", { class: "jt-empty" }, T.scheme_not_active));
    return;
  }
  let index = aspects.findIndex((a) => a.id === state.view.aspectId);
  if (index < 0) {
    // Start where there is work: the first aspect this judge may score and has not.
    index = aspects.findIndex((a) => scorable(c, a) && !aspectState(c, a).mark);
    if (index < 0) index = Math.max(0, aspects.findIndex((a) => scorable(c, a)));
  }
  const a = aspects[index];
  if (state.view.moduleId !== m.id || state.view.aspectId !== a.id) {
    // Stay on this aspect once it is shown, even after it is scored.
    state.view.moduleId = m.id;
    state.view.aspectId = a.id;
    saveView();
  }
  const st = aspectState(c, a);
  const competitorIndex = project.competitors.indexOf(c);
  const nextCompetitor = project.competitors.slice(competitorIndex + 1).find(openable);
  const moduleIndex = modules.indexOf(m);
  const go = (moduleId, aspectId) => {
    state.view.moduleId = moduleId;
    state.view.aspectId = aspectId;
    saveView();
    render();
  };
  let next = null;
  if (index + 1 < aspects.length) {
    next = h("button", { type: "button", class: "jt-nav-btn jt-nav-next", "data-next": "",
      onclick: () => go(m.id, aspects[index + 1].id) }, `${T.next} →`);
  } else if (moduleIndex + 1 < modules.length) {
    const nm = modules[moduleIndex + 1];
    next = h("button", { type: "button", class: "jt-nav-btn jt-nav-next", "data-next": "",
      onclick: () => go(nm.id, null) }, `${T.next} · ${nm.letter} →`);
  } else if (nextCompetitor) {
    next = h("button", { type: "button", class: "jt-nav-btn jt-nav-next", "data-next-competitor": "",
      onclick: () => {
        state.view = { projectId: project.id, competitorId: nextCompetitor.id };
        saveView();
        render();
      } }, `${T.next_competitor} →`);
  }
  let previous = h("span");
  if (index > 0) {
    previous = h("button", { type: "button", class: "jt-nav-btn", "data-previous": "",
      onclick: () => go(m.id, aspects[index - 1].id) }, `← ${T.previous}`);
  } else if (moduleIndex > 0) {
    const pm = modules[moduleIndex - 1];
    previous = h("button", { type: "button", class: "jt-nav-btn", "data-previous": "",
      onclick: () => go(pm.id, pm.aspects.length ? pm.aspects[pm.aspects.length - 1].id : null) },
    `← ${pm.letter} · ${T.previous}`);
  }
  const progress = progressOf(c, modules);
  $("[data-work]").replaceChildren(
    h("div", { class: "jt-work-head" },
      h("h1", { class: "jt-work-title", "data-competitor-title": "" }, competitorLabel(c)),
      c.conflict ? h("span", { class: "jt-tag jt-tag-conflict" }, T.recused) : null,
      h("span", { class: "jt-work-progress" }, `${progress.done}/${progress.total}`)),
    h("div", { class: "jt-tabs", role: "tablist" },
      modules.map((x) => moduleTab(ctx, x, progressOf(c, [x]), x === m))),
    h("div", { class: "jt-chips" },
      aspects.map((x, i) => aspectChip(ctx, m, x, i, aspectState(c, x), i === index))),
    aspectCard(ctx, c, m, a, index, aspects.length, st),
    h("nav", { class: "jt-nav" }, previous, next),
  );
}

// ---------------------------------------------------------------- offline shell

async function keepOfflineCopy() {
  if (!("serviceWorker" in navigator) || !window.caches) return; // needs https or localhost
  try {
    await navigator.serviceWorker.register(config.swUrl, { scope: "/judge/" });
    if (navigator.serviceWorker.controller || !navigator.onLine) return; // the worker keeps it
    // The first visit was not served through the worker yet: store this page and its
    // files now, so a reload without network still opens the tablet.
    const cache = await caches.open(CACHE_NAME);
    for (const url of [window.location.pathname + window.location.search, ...config.assets]) {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url, response);
    }
  } catch (error) {
    // Without the copy the tablet still works online; the outbox does not depend on it.
  }
}

async function forgetThisTablet() {
  local.remove("assignments");
  if (window.caches) await caches.delete(CACHE_NAME);
}

function wireSignOut() {
  const control = $("[data-sign-out]");
  const confirmed = () => {
    const count = outbox ? outbox.count() : 0;
    return !count || window.confirm(fmt(T.sign_out_pending, { count }));
  };
  if (control.tagName === "FORM") {
    control.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!confirmed()) return;
      await forgetThisTablet();
      control.submit();
    });
  } else {
    control.addEventListener("click", async () => {
      if (!confirmed()) return;
      local.remove("tablet");
      await forgetThisTablet();
      window.location.assign(config.codeUrl);
    });
  }
  $("[data-project-select]").addEventListener("change", (event) => {
    state.view = { projectId: Number(event.target.value) };
    saveView();
    render();
  });
}

// ---------------------------------------------------------------- start

async function main() {
  if (!signIn()) return;
  loadNotes();
  loadCache();
  indexMarks();
  wireSignOut();
  const store = await openOutboxStore();
  outbox = new Outbox(store, {
    onChange: render,
    onSaved,
    onRefused,
    onStopped: stop,
    onStoreFailed: () => {
      state.storeFailed = true;
    },
  });
  await outbox.load();
  outbox.setUser(state.userId);
  connection = new Connection(state.token, {
    onState: render,
    onConnect: () => {
      if (Date.now() - lastFetch > 3000) fetchAssignments(); // not twice on opening
      outbox.setTransport((payload) => connection.send(payload));
    },
    onPush,
    onRefused: stop,
  });
  window.addEventListener("offline", () => outbox.setTransport(null));
  // A tablet woken from sleep may have missed pushes: look again if it has been a while.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && navigator.onLine && Date.now() - lastFetch > 60000) {
      fetchAssignments();
    }
  });
  connection.socket.on("disconnect", () => outbox.setTransport(null));
  render();
  connection.open();
  if (navigator.onLine) fetchAssignments();
  keepOfflineCopy();
}

main();
