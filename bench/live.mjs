// Load for the spectators' Socket.IO protocol: N spectator connections to `/live`, all
// subscribed to one project, and one judge whose marks make that board change.
//
//   node live.mjs --url http://127.0.0.1:5000 --seed seed.json [--connections 1000]
//                 [--duration 20] [--warmup 2] [--gap 50] [--rate 0] [--timeout 5]
//                 [--server-pid PID] [--baseline] [--no-deflate] [--json result.json]
//
// Sequential (the default, --rate 0): the judge sends one mark at t0, then waits until
// EVERY spectator has received a `board_update` whose seq is above the seq held before
// the send (or --timeout seconds, counted as a timeout); "all have it" = last receipt − t0.
// Then it pauses --gap ms and sends the next. Each mark changes the board (a measurement
// aspect gets a new value), so each must reach every spectator.
//
// Throughput (--rate R): the judge sends R marks/s whatever happens. Measured: board
// updates/s received per spectator, and each mark's delivery delay: from its send until
// every spectator holds an update numbered above the newest seq any spectator had seen
// when the mark's ack came back (the first update certainly computed after the mark's
// commit; an upper bound by at most one update).
//
// --baseline drives bench/live_baseline.py instead: the judge is a plain `/live` client
// whose `submit` makes the server broadcast ~300 bytes; the measurement is the same.
// --server-pid PID reads the server's VmRSS before and after the spectators connect.
// Connections offer per-message deflate, as browsers do (--no-deflate: they do not).
// Only loopback URLs are accepted: this is a load generator.
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:5000" },
    seed: { type: "string", default: "seed.json" },
    connections: { type: "string", default: "1000" },
    duration: { type: "string", default: "20" },
    warmup: { type: "string", default: "2" },
    gap: { type: "string", default: "50" },
    rate: { type: "string", default: "0" },
    timeout: { type: "string", default: "5" },
    "connect-batch": { type: "string", default: "50" },
    "server-pid": { type: "string" },
    baseline: { type: "boolean", default: false },
    "no-deflate": { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const host = new URL(opts.url).hostname;
if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) {
  throw new Error(`refusing to load ${host}: only loopback addresses`);
}
const N = Number(opts.connections);
const DURATION = Number(opts.duration) * 1000;
const WARMUP = Number(opts.warmup) * 1000;
const GAP = Number(opts.gap);
const RATE = Number(opts.rate);
const TIMEOUT = Number(opts.timeout) * 1000;
const BATCH = Number(opts["connect-batch"]);
const BASELINE = opts.baseline;
const ACK_TIMEOUT = 10_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ what the judge sends

// The app: the first judge of the seed's first project enters measurement aspects, each
// entered by this judge alone, so it counts with this judge's value. Version v of an item
// holds allowed[v % allowed.length]: every send gives a value other than the current one
// (also in a database an earlier run left behind), so the competitor's total (or, on a
// first entry, the progress) changes, and the public board with it.
const valueAt = (item, version) => item.aspect.allowed[version % item.aspect.allowed.length];

function appMarks() {
  const seed = JSON.parse(readFileSync(opts.seed, "utf8"));
  const project = seed.projects[0];
  const items = [];
  for (const competitor of project.competitors) {
    for (const aspect of project.aspects.filter((a) => a.type === "M")) {
      items.push({ competitor, aspect, version: 0, inFlight: false });
    }
  }
  let next = 0;
  return {
    projectId: project.id,
    token: project.tokens[0],
    // The next item not awaiting an ack (throughput mode may have several in flight).
    take() {
      for (let tried = 0; tried < items.length; tried++) {
        const item = items[next];
        next = (next + 1) % items.length;
        if (!item.inFlight) return item;
      }
      return null;
    },
    payload(item) {
      return {
        client_id: randomUUID(), competitor_id: item.competitor, aspect_id: item.aspect.id,
        value: valueAt(item, item.version + 1), expected_version: item.version,
        device_id: "bench", tablet_time: new Date().toISOString(),
      };
    },
    // A database used before (a second run): learn the item's version, and send again.
    resync(item, ack) {
      if (ack.error.code !== "stale_version") return false;
      item.version = ack.error.current_version;
      return true;
    },
    acked(item, ack) { item.version = ack.version; },
  };
}

function baselineMarks() {
  const item = { inFlight: false };
  return {
    projectId: 1, token: null, take: () => item,
    payload: () => ({ client_id: randomUUID() }), resync: () => false, acked: () => {},
  };
}

const marks = BASELINE ? baselineMarks() : appMarks();

// ------------------------------------------------------------------ connections

function open(namespace, auth) {
  return new Promise((resolve, reject) => {
    const socket = io(`${opts.url}${namespace}`, {
      auth, transports: ["websocket"], reconnection: false, timeout: 20_000,
      forceNew: true, perMessageDeflate: opts["no-deflate"] ? false : { threshold: 1024 },
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => reject(error));
  });
}

function serverRssKiB() {
  if (!opts["server-pid"]) return null;
  const status = readFileSync(`/proc/${opts["server-pid"]}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)[1]);
}

// Per spectator: the highest seq held, and the receipt time of the current round.
const held = new Float64Array(N);
const gotAt = new Float64Array(N);
const received = new Uint32Array(N); // updates received inside the measured window
const bySeq = new Map(); // seq -> {first, last, count} (throughput mode)
let newestSeq = 0; // the highest seq any spectator has received
let roundOpen = false;
let threshold = 0; // this round waits for an update numbered above this
let remaining = 0;
let roundDone = () => {};
let windowOpen = false;
let disconnects = 0;
const sizes = { decoded: [], wireStart: 0, wireEnd: 0, updatesInWindow: 0 };

function onUpdate(i, data) {
  const now = performance.now();
  if (windowOpen) received[i] += 1;
  if (data.seq > held[i]) held[i] = data.seq;
  if (data.seq > newestSeq) newestSeq = data.seq;
  if (RATE > 0) {
    const entry = bySeq.get(data.seq);
    if (entry) { entry.last = now; entry.count += 1; } else {
      bySeq.set(data.seq, { first: now, last: now, count: 1 });
    }
  }
  if (roundOpen && gotAt[i] === 0 && data.seq > threshold) {
    gotAt[i] = now;
    remaining -= 1;
    if (remaining === 0) roundDone();
  }
}

async function subscribe(i) {
  const socket = await open("/live");
  const ack = await socket.timeout(20_000).emitWithAck("subscribe",
                                                       { project_id: marks.projectId });
  if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack.error)}`);
  if (i >= 0) {
    held[i] = ack.seq;
    socket.on("board_update", (data) => onUpdate(i, data));
    socket.on("disconnect", () => { disconnects += 1; });
  }
  return socket;
}

// One spectator's board_update packets, as decoded text (before any deflate), and its
// socket's bytes read (after deflate, framing included) over the measured window.
function watchBytes(socket) {
  socket.io.engine.on("packet", (packet) => {
    if (windowOpen && packet.type === "message" && packet.data.includes('"board_update"')) {
      sizes.decoded.push(Buffer.byteLength(packet.data) + 1); // + engine.io's type byte
    }
  });
}
const wireBytes = (socket) => socket.io.engine.transport?.ws?._socket?.bytesRead ?? NaN;

const judge = BASELINE ? await open("/live") : await open("/judge", { token: marks.token });
const warm = await subscribe(-1); // the first subscribe builds the board: not per spectator
await sleep(500);
const rssBefore = serverRssKiB();
const connectStart = performance.now();
const spectators = [];
for (let i = 0; i < N; i += BATCH) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) batch.push(subscribe(j));
  spectators.push(...await Promise.all(batch));
}
const connectSeconds = (performance.now() - connectStart) / 1000;
await sleep(1000);
const rssAfter = serverRssKiB();
watchBytes(spectators[0]);
console.log(`${N} spectators subscribed in ${connectSeconds.toFixed(1)} s` +
            (rssBefore ? `; server RSS ${rssBefore} -> ${rssAfter} KiB` : ""));

// ------------------------------------------------------------------ sending

const event = BASELINE ? "submit" : "submit_mark";
let refused = 0;
const refusals = new Map();

let resynced = 0;

async function send(item) {
  item.inFlight = true;
  let ack;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      ack = await judge.timeout(ACK_TIMEOUT).emitWithAck(event, marks.payload(item));
    } catch {
      ack = { ok: false, error: { code: "ack_timeout" } };
    }
    if (ack.ok || attempt > 0 || !marks.resync(item, ack)) break;
    resynced += 1;
  }
  item.inFlight = false;
  if (ack.ok) marks.acked(item, ack);
  else {
    refused += 1;
    refusals.set(ack.error.code, (refusals.get(ack.error.code) ?? 0) + 1);
  }
  return ack;
}

// One sequential round: send, then wait for every spectator (or the timeout). Each must
// get an update above the newest seq held before the send (after a complete round, every
// spectator holds that one; after a timeout, a laggard's late update does not count).
async function round() {
  threshold = newestSeq;
  gotAt.fill(0);
  remaining = N;
  const allHaveIt = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), TIMEOUT);
    roundDone = () => { clearTimeout(timer); resolve(true); };
  });
  roundOpen = true;
  const t0 = performance.now();
  const ack = await send(marks.take());
  const complete = ack.ok ? await allHaveIt : false;
  roundOpen = false;
  roundDone = () => {};
  if (!ack.ok) return null;
  const each = [];
  for (let i = 0; i < N; i++) if (gotAt[i] > 0) each.push(gotAt[i] - t0);
  return { complete, last: complete ? Math.max(...each) : TIMEOUT, each,
           missing: N - each.length };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const fixed = (x, digits = 1) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
const spread = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: fixed(percentile(sorted, 50)), p99: fixed(percentile(sorted, 99)),
           max: fixed(sorted.at(-1) ?? NaN) };
};

const result = {
  target: BASELINE ? "baseline" : "app", mode: RATE > 0 ? "throughput" : "sequential",
  connections: N, connect_seconds: fixed(connectSeconds),
  rss_kib: { before: rssBefore, after: rssAfter,
             per_spectator: rssBefore ? fixed((rssAfter - rssBefore) / N) : null },
};

async function sequential() {
  const warmEnd = performance.now() + WARMUP;
  while (performance.now() < warmEnd) { await round(); await sleep(GAP); }
  const lasts = [];
  const each = [];
  let timeouts = 0;
  let missing = 0;
  windowOpen = true;
  sizes.wireStart = wireBytes(spectators[0]);
  const start = performance.now();
  while (performance.now() - start < DURATION) {
    const r = await round();
    if (r) {
      lasts.push(r.last);
      each.push(...r.each);
      if (!r.complete) { timeouts += 1; missing += r.missing; }
    }
    await sleep(GAP);
  }
  windowOpen = false;
  sizes.wireEnd = wireBytes(spectators[0]);
  const seconds = (performance.now() - start) / 1000;
  Object.assign(result, {
    seconds: fixed(seconds, 2), gap_ms: GAP, marks: lasts.length,
    all_have_it_ms: spread(lasts), per_spectator_ms: spread(each),
    timeouts, spectators_missed: missing, refused, refusals: Object.fromEntries(refusals),
    updates_per_s: fixed(received.reduce((a, b) => a + b, 0) / N / seconds, 2),
  });
}

async function throughput() {
  const interval = 1000 / RATE;
  const sent = []; // {at, ackSeq, measured}
  let stop = false;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  const sending = (async () => {
    let due = performance.now();
    while (!stop) {
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      due += interval;
      const item = marks.take();
      if (!item) continue; // every item is in flight: the server is far behind
      const mark = { at: performance.now(), ackSeq: null };
      mark.measured = mark.at >= windowStart && mark.at < windowEnd;
      sent.push(mark);
      send(item).then((ack) => { if (ack.ok) mark.ackSeq = newestSeq; });
    }
  })();
  await sleep(WARMUP);
  windowStart = performance.now();
  windowOpen = true;
  sizes.wireStart = wireBytes(spectators[0]);
  await sleep(DURATION);
  windowEnd = performance.now();
  windowOpen = false;
  sizes.wireEnd = wireBytes(spectators[0]);
  stop = true;
  await sending;
  await sleep(TIMEOUT); // let the last updates arrive
  const seconds = (windowEnd - windowStart) / 1000;
  // Delivery: the first seq above the mark's ackSeq, once every spectator has it.
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const delays = [];
  let undelivered = 0;
  for (const mark of sent.filter((m) => m.measured && m.ackSeq !== null)) {
    const seq = seqs.find((s) => s > mark.ackSeq);
    const entry = seq === undefined ? null : bySeq.get(seq);
    if (!entry || entry.count < N) undelivered += 1;
    else delays.push(entry.last - mark.at);
  }
  const inWindow = seqs.map((s) => bySeq.get(s)).filter((e) => e.first >= windowStart
                                                        && e.first < windowEnd);
  const perSpectator = [...received].map((n) => n / seconds);
  Object.assign(result, {
    seconds: fixed(seconds, 2), offered_marks_per_s: RATE,
    marks: sent.filter((m) => m.measured).length, refused,
    refusals: Object.fromEntries(refusals),
    updates_per_s: fixed(perSpectator.reduce((a, b) => a + b, 0) / N, 2),
    updates_per_s_min: fixed(Math.min(...perSpectator), 2),
    delivery_ms: spread(delays), timeouts: undelivered,
    fan_out_ms: spread(inWindow.filter((e) => e.count === N).map((e) => e.last - e.first)),
  });
}

if (RATE > 0) await throughput(); else await sequential();
// Again after the updates: per-message deflate's buffers fill as messages go out.
result.rss_kib.end = serverRssKiB();
result.rss_kib.per_spectator_end = rssBefore ? fixed((result.rss_kib.end - rssBefore) / N)
  : null;

const updates = received[0];
result.bytes_per_update = {
  decoded: fixed(sizes.decoded.reduce((a, b) => a + b, 0) / sizes.decoded.length, 0),
  wire: fixed((sizes.wireEnd - sizes.wireStart) / updates, 0),
};
result.disconnects = disconnects;
result.resynced = resynced;

for (const socket of [judge, warm, ...spectators]) socket.disconnect();

const ms = (s) => `p50 ${s.p50}  p99 ${s.p99}  max ${s.max}`;
console.log(`${result.target}, ${result.mode}: ${N} spectators, ${result.seconds} s measured`);
if (RATE > 0) {
  console.log(`marks sent          ${result.marks} (${RATE}/s offered), refused ${refused}`);
  console.log(`updates/s received  ${result.updates_per_s} per spectator ` +
              `(slowest ${result.updates_per_s_min})`);
  console.log(`delivery ms         ${ms(result.delivery_ms)} (not delivered to all: ` +
              `${result.timeouts})`);
  console.log(`fan-out ms          ${ms(result.fan_out_ms)} (first to last spectator)`);
} else {
  console.log(`marks               ${result.marks}, gap ${GAP} ms, refused ${refused}`);
  console.log(`all have it ms      ${ms(result.all_have_it_ms)}`);
  console.log(`per spectator ms    ${ms(result.per_spectator_ms)}`);
  console.log(`timeouts            ${result.timeouts} rounds (${result.spectators_missed} ` +
              `spectator receipts missing after ${TIMEOUT / 1000} s)`);
  console.log(`updates/s           ${result.updates_per_s} per spectator`);
}
console.log(`bytes per update    ${result.bytes_per_update.decoded} decoded, ` +
            `${result.bytes_per_update.wire} on the wire (one spectator)`);
if (result.rss_kib.per_spectator !== null) {
  console.log(`server memory       ${result.rss_kib.per_spectator} KiB per spectator ` +
              `connected, ${result.rss_kib.per_spectator_end} after the run`);
}
if (result.disconnects) {
  console.log(`disconnects         ${result.disconnects} spectators lost their connection`);
}
if (resynced) {
  console.log(`resynced            ${resynced} marks sent again with the stored version ` +
              "(a database used before; their times include one extra round trip)");
}
if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2));
process.exit(0);
