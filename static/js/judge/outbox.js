// The offline outbox: every mark is stored on the tablet before it is sent, sent in the
// order it was entered, one at a time, and removed only once the server has answered.
//
//  - ok ack: saved; the mark's version is now the ack's version.
//  - error ack (invalid, out_of_range, locked, conflict_of_interest, not_assigned,
//    stale_version…): final, the server stored nothing; shown to the judge and dropped.
//  - "unavailable" ack, a timeout or a lost connection: kept and sent again later. The
//    server answers a repeated client_id with its original ack, so resending is safe.
//  - "unauthorized" ack: kept; sending stops until the judge signs in again.
//
// expected_version is the version of the mark the judge was looking at when they tapped.
// When a second value for the same aspect is entered while the first is still in the
// outbox: if the first was never sent, its value is simply replaced; otherwise the second
// is queued behind it and its expected_version is set from the first one's answer.

import { deviceId, uuid4 } from "./store.js";

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
const KEEP_CODES = new Set(["unavailable"]);
const STOP_CODES = new Set(["unauthorized"]);

export const markKey = (competitorId, aspectId) => `${competitorId}:${aspectId}`;

function backoff(attempts) {
  const base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5)); // jitter: tablets do not retry in step
}

export function payloadOf(entry) {
  const payload = {
    client_id: entry.client_id,
    competitor_id: entry.competitor_id,
    aspect_id: entry.aspect_id,
    expected_version: entry.expected_version,
    device_id: entry.device_id,
    tablet_time: entry.tablet_time,
  };
  payload[entry.kind === "J" ? "score" : "value"] = entry.value;
  return payload;
}

export class Outbox {
  // hooks: onChange(), onSaved(entry, ack), onRefused(entry, error), onStopped(error),
  //        onStoreFailed(error)
  constructor(store, hooks) {
    this.store = store;
    this.hooks = hooks;
    this.entries = [];
    this.userId = null;
    this.transport = null; // payload -> Promise<ack>; null while disconnected
    this.stopped = false;
    this.running = false;
    this.again = false;
    this.sendingId = null;
    this.timer = null;
    this.lastSeq = 0;
  }

  async load() {
    const all = await this.store.all();
    this.entries = all.sort((a, b) => a.seq - b.seq);
    this.lastSeq = this.entries.reduce((max, e) => Math.max(max, e.seq), 0);
  }

  setUser(userId) {
    this.userId = userId;
  }

  // Only the signed-in judge's marks are sent: another judge's marks on a shared tablet
  // wait for that judge (the server would refuse or misfile them).
  mine() {
    return this.entries.filter((e) => e.user_id === this.userId);
  }

  othersCount() {
    return this.entries.filter((e) => e.user_id !== this.userId).length;
  }

  count() {
    return this.mine().length;
  }

  latestFor(key) {
    const mine = this.mine().filter((e) => e.key === key);
    return mine.length ? mine[mine.length - 1] : null;
  }

  isSending(entry) {
    return entry !== null && entry.client_id === this.sendingId;
  }

  async persist(entry) {
    try {
      await this.store.put(entry);
    } catch (error) {
      this.hooks.onStoreFailed(error);
    }
  }

  // A mark the judge just entered. Resolves once it is stored on the tablet.
  async add({ competitorId, aspectId, kind, value, knownVersion }) {
    const key = markKey(competitorId, aspectId);
    const last = this.latestFor(key);
    const now = new Date().toISOString();
    if (last && !last.sent) {
      last.value = value; // never sent: the server has not seen this client_id
      last.tablet_time = now;
      await this.persist(last);
    } else {
      this.lastSeq = Math.max(Date.now(), this.lastSeq + 1);
      const entry = {
        client_id: uuid4(),
        user_id: this.userId,
        key,
        competitor_id: competitorId,
        aspect_id: aspectId,
        kind,
        value,
        // Behind an entry already sent: provisional, fixed when that one is answered.
        expected_version: last ? last.expected_version + 1 : knownVersion,
        device_id: deviceId(),
        tablet_time: now,
        seq: this.lastSeq,
        sent: false,
        attempts: 0,
        retry_at: 0,
      };
      await this.persist(entry);
      this.entries.push(entry);
    }
    this.hooks.onChange();
    this.pump();
  }

  // Connected (a transport) or not (null). On (re)connection everything waiting goes now.
  setTransport(transport) {
    this.transport = transport;
    if (transport) {
      for (const entry of this.mine()) entry.retry_at = 0;
      this.pump();
    }
  }

  resume() {
    this.stopped = false;
    this.pump();
  }

  async pump() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    clearTimeout(this.timer);
    try {
      while (this.transport && !this.stopped) {
        const entry = this.mine()[0];
        if (!entry) break;
        const wait = entry.retry_at - Date.now();
        if (wait > 0) {
          this.timer = setTimeout(() => this.pump(), wait);
          break;
        }
        if (!entry.sent) {
          entry.sent = true; // set before any await: add() must not change it from now on
          await this.persist(entry);
        }
        this.sendingId = entry.client_id;
        this.hooks.onChange();
        let ack = null;
        let lost = false;
        try {
          ack = await this.transport(payloadOf(entry));
        } catch (error) {
          lost = error && error.message === "disconnected";
        }
        this.sendingId = null;
        await this.answer(entry, ack, lost);
      }
    } finally {
      this.running = false;
      this.hooks.onChange();
      if (this.again) {
        this.again = false;
        this.pump();
      }
    }
  }

  async answer(entry, ack, lost) {
    const code = ack && ack.ok === false && ack.error ? ack.error.code : null;
    if (ack && ack.ok === true) {
      this.hooks.onSaved(entry, ack);
      await this.settle(entry, ack.version);
    } else if (code && STOP_CODES.has(code)) {
      this.stopped = true;
      this.hooks.onStopped(ack.error);
    } else if (code && !KEEP_CODES.has(code)) {
      this.hooks.onRefused(entry, ack.error);
      await this.settle(entry, entry.expected_version);
    } else {
      // No answer, or the server could not store it now: keep it and try again later.
      // A lost connection is retried as soon as it is back, without counting.
      if (!lost) entry.attempts += 1;
      entry.retry_at = lost ? 0 : Date.now() + backoff(entry.attempts);
      await this.persist(entry);
    }
  }

  // Done with this entry. The next entry for the same mark now knows which version it
  // replaces: the one just stored, or (if this one was refused) the one before it.
  async settle(entry, version) {
    this.entries = this.entries.filter((e) => e !== entry);
    const next = this.mine().find((e) => e.key === entry.key);
    if (next) {
      next.expected_version = version;
      await this.persist(next);
    }
    try {
      await this.store.delete(entry.client_id);
    } catch (error) {
      // Still stored: it is sent again after a reload and gets its original ack back.
    }
  }
}
