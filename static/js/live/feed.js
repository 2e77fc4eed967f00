// The /live socket for the spectators' pages (vendored socket.io client, global io).
//
// Each subscription (a project's boards, or a competition's summary, medals and screen)
// keeps the `seq` of what it holds. Every push carries the competition's seq; one whose
// seq is not above the held one is already in what the page shows, and is dropped.
// Pushes that arrive while a subscription waits for its acknowledgement are held back
// and applied after it, so nothing falls between the snapshot and the first update.
// After a reconnection every subscription asks again with its `last_seq`: the server
// answers with the events missed, or a fresh snapshot when it is too far behind.
//
// States for the indicator: "connecting" (first time), "live", "reconnecting" (the page
// may be out of date: it must say so, never show a stale board silently).

const ACK_TIMEOUT_MS = 10000;
const RETRY_MS = 2000;
const PROJECT_EVENTS = ["board_update"];
const COMPETITION_EVENTS = ["board_summary", "medals_update"];

export class LiveFeed {
  // onState(state): the connection's state changed.
  constructor({ onState } = {}) {
    this.onState = onState || (() => {});
    this.subs = new Map(); // "p:<id>" | "c:<id>" -> subscription
    this.state = null;
    this.socket = window.io("/live", {
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket.on("connect", () => {
      for (const sub of this.subs.values()) this.send(sub);
      this.updateState();
    });
    this.socket.on("disconnect", () => {
      for (const sub of this.subs.values()) sub.acked = false;
      this.updateState();
    });
    this.socket.on("connect_error", () => this.updateState());
    for (const event of PROJECT_EVENTS) {
      this.socket.on(event, (data) => this.route("p:" + data.project_id, event, data));
    }
    for (const event of COMPETITION_EVENTS) {
      this.socket.on(event, (data) => this.route(this.competitionKey(), event, data));
    }
    // A named screen pointed elsewhere from the console: not numbered, applied as it comes.
    this.socket.on("screen_update", (data) => {
      const sub = this.subs.get(this.competitionKey());
      if (sub && sub.handlers.onScreen) sub.handlers.onScreen(data);
    });
    // A phone that loses its network: say so at once and close the socket, rather than
    // wait for the ping timeout (tens of seconds of a board silently standing still);
    // connect again, and catch up from the held seq, when the network is back.
    window.addEventListener("offline", () => {
      this.socket.disconnect();
      for (const sub of this.subs.values()) sub.acked = false;
      this.updateState();
    });
    window.addEventListener("online", () => {
      if (!this.socket.connected) this.socket.connect();
    });
    this.updateState();
  }

  // params: {project_id} or {competition_id[, screen]}; seq: what the page already shows
  // (from the server-drawn snapshot), or null to be sent a snapshot.
  // handlers: onSnapshot(ack), onEvent(event, data), onScreen(screen), onError(code).
  subscribe(params, seq, handlers) {
    const key = params.project_id ? "p:" + params.project_id : "c:" + params.competition_id;
    const sub = { key, params, seq: seq ?? null, handlers, acked: false, held: [] };
    this.subs.set(key, sub);
    if (this.socket.connected) this.send(sub);
    this.updateState();
    return sub;
  }

  unsubscribe(params) {
    const key = "p:" + params.project_id;
    if (!this.subs.delete(key)) return;
    if (this.socket.connected) this.socket.emit("unsubscribe", { project_id: params.project_id });
  }

  competitionKey() {
    for (const key of this.subs.keys()) if (key.startsWith("c:")) return key;
    return null;
  }

  send(sub) {
    sub.acked = false;
    sub.held = [];
    const payload = { ...sub.params };
    if (sub.seq !== null) payload.last_seq = sub.seq;
    this.socket.timeout(ACK_TIMEOUT_MS).emit("subscribe", payload, (error, ack) => {
      if (this.subs.get(sub.key) !== sub) return; // unsubscribed meanwhile
      if (error || !ack) {
        // No answer: ask again while connected (a reconnection asks anyway).
        setTimeout(() => { if (this.socket.connected && !sub.acked) this.send(sub); }, RETRY_MS);
        return;
      }
      this.acknowledged(sub, ack);
    });
  }

  acknowledged(sub, ack) {
    if (!ack.ok) {
      // Refused (a screen renamed meanwhile, say): nothing to wait for on this one.
      this.subs.delete(sub.key);
      this.updateState();
      if (sub.handlers.onError) sub.handlers.onError(ack.error && ack.error.code);
      return;
    }
    if (ack.screen && sub.handlers.onScreen) sub.handlers.onScreen(ack.screen);
    if (Array.isArray(ack.events)) {
      // Resumed: exactly the events missed, oldest first.
      const events = ack.events.slice().sort((a, b) => a.data.seq - b.data.seq);
      for (const { event, data } of events) this.apply(sub, event, data);
      sub.seq = Math.max(sub.seq ?? 0, ack.seq);
    } else {
      sub.seq = ack.seq;
      sub.handlers.onSnapshot(ack);
    }
    sub.acked = true;
    const held = sub.held;
    sub.held = [];
    for (const { event, data } of held) this.apply(sub, event, data);
    this.updateState();
  }

  route(key, event, data) {
    const sub = key && this.subs.get(key);
    if (!sub || !data) return;
    if (!sub.acked) {
      sub.held.push({ event, data });
      return;
    }
    this.apply(sub, event, data);
  }

  apply(sub, event, data) {
    if (typeof data.seq !== "number" || (sub.seq !== null && data.seq <= sub.seq)) return;
    sub.seq = data.seq;
    sub.handlers.onEvent(event, data);
  }

  updateState() {
    // Up to date only once connected AND every subscription has its answer; until then a
    // page that was live stays "reconnecting" (what it shows may be behind).
    const waiting = [...this.subs.values()].some((sub) => !sub.acked);
    let state;
    if (this.socket.connected && !waiting) state = "live";
    else if (this.state === "live" || this.state === "reconnecting") state = "reconnecting";
    else state = "connecting";
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }
}

// The small pill that says whether the page is live: "is-live", "is-connecting",
// "is-reconnecting"; and the note and dimming that say a board may be out of date.
export function showConnection(state, L, { pill, stale, boards = [] }) {
  if (pill) {
    pill.classList.remove("is-live", "is-connecting", "is-reconnecting");
    pill.classList.add("is-" + state);
    const text = pill.querySelector(".lv-conn-text");
    if (text) text.textContent = L.connection[state] || state;
  }
  const isStale = state === "reconnecting";
  if (stale) stale.hidden = !isStale;
  for (const node of boards) if (node) node.classList.toggle("is-stale", isStale);
  document.documentElement.dataset.live = state; // for tests and the curious
}
