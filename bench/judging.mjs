// Load for the judges' Socket.IO protocol: N judge connections to one server, each
// submitting marks as fast as its acknowledgements return (one in flight per judge, as a
// tablet's outbox sends them), for a fixed duration after a short warm-up.
//
//   node judging.mjs --url http://127.0.0.1:5000 --seed seed.json [--connections 100]
//                    [--duration 20] [--warmup 3] [--rate 0] [--json result.json]
//
// --rate R paces the judges so that together they offer at most R marks/s (each judge
// waits connections/R seconds between sends, or less if its ack took longer); 0, the
// default, means no pacing: each judge sends its next mark as soon as the ack arrives.
// Prints acknowledged marks/s, acknowledgement latency percentiles and refusals by
// code. Only loopback URLs are accepted: this is a load generator.
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:5000" },
    seed: { type: "string", default: "seed.json" },
    connections: { type: "string", default: "100" },
    duration: { type: "string", default: "20" },
    warmup: { type: "string", default: "3" },
    rate: { type: "string", default: "0" },
    json: { type: "string" },
  },
});
const host = new URL(opts.url).hostname;
if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) {
  throw new Error(`refusing to load ${host}: only loopback addresses`);
}
const CONNECTIONS = Number(opts.connections);
const DURATION = Number(opts.duration) * 1000;
const WARMUP = Number(opts.warmup) * 1000;
const RATE = Number(opts.rate);
const INTERVAL = RATE > 0 ? (CONNECTIONS / RATE) * 1000 : 0; // ms between one judge's sends
const ACK_TIMEOUT = 10_000;

// Each judge's work: every (competitor, aspect) of their project, shuffled; once all
// are entered the judge goes round again, changing its own marks (new versions).
function workFor(project) {
  const items = [];
  for (const competitor of project.competitors) {
    for (const aspect of project.aspects) items.push({ competitor, aspect, version: 0 });
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const seed = JSON.parse(readFileSync(opts.seed, "utf8"));
const judges = seed.projects.flatMap((p) => p.tokens.map((token) => ({ token, project: p })))
  .slice(0, CONNECTIONS);
if (judges.length < CONNECTIONS) throw new Error(`the seed has only ${judges.length} judges`);

const latencies = []; // ms, of acknowledgements received inside the measured window
const codes = new Map(); // refusal code -> count (measured window)
let acked = 0;
let ackedTotal = 0; // every phase: the database must hold exactly this many versions
let timeoutsTotal = 0; // every phase: no ack within ACK_TIMEOUT (stored or not: unknown)
let lockedMessages = 0;
let phase = "connecting"; // connecting -> warmup -> measure -> stopping
let windowStart = 0;
let windowEnd = 0;

function connect(judge) {
  return new Promise((resolve, reject) => {
    const socket = io(`${opts.url}/judge`, {
      auth: { token: judge.token }, transports: ["websocket"], reconnection: false,
      timeout: 20_000,
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => reject(error));
  });
}

async function drive(judge, socket) {
  const work = workFor(judge.project);
  let next = 0;
  // Paced judges start spread over one interval, not all at once.
  let due = performance.now() + Math.random() * INTERVAL;
  while (phase !== "stopping") {
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    due = Math.max(due + INTERVAL, performance.now());
    const item = work[next];
    next = (next + 1) % work.length;
    const { aspect } = item;
    const value = aspect.allowed[Math.floor(Math.random() * aspect.allowed.length)];
    const payload = {
      client_id: randomUUID(), competitor_id: item.competitor, aspect_id: aspect.id,
      [aspect.type === "J" ? "score" : "value"]: value, expected_version: item.version,
      device_id: "bench", tablet_time: new Date().toISOString(),
    };
    const sent = performance.now();
    let ack;
    try {
      ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("submit_mark", payload);
    } catch {
      ack = { ok: false, error: { code: "ack_timeout", message: "" } };
      timeoutsTotal += 1;
    }
    const received = performance.now();
    if (ack.ok) {
      item.version = ack.version;
      ackedTotal += 1;
    }
    if (phase !== "measure" || sent < windowStart) continue;
    latencies.push(received - sent);
    if (ack.ok) acked += 1;
    else {
      codes.set(ack.error.code, (codes.get(ack.error.code) ?? 0) + 1);
      if (/database is locked/i.test(ack.error.message)) lockedMessages += 1;
    }
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sockets = await Promise.all(judges.map(connect));
const pushes = { rediscuss: 0 };
for (const socket of sockets) socket.on("rediscuss", () => { pushes.rediscuss += 1; });
phase = "warmup";
const drivers = judges.map((judge, i) => drive(judge, sockets[i]));
await new Promise((r) => setTimeout(r, WARMUP));
phase = "measure";
windowStart = performance.now();
await new Promise((r) => setTimeout(r, DURATION));
windowEnd = performance.now();
phase = "stopping";
await Promise.all(drivers);
for (const socket of sockets) socket.disconnect();

const seconds = (windowEnd - windowStart) / 1000;
latencies.sort((a, b) => a - b);
const result = {
  connections: CONNECTIONS,
  offered_rate: RATE > 0 ? RATE : "unpaced",
  seconds: Number(seconds.toFixed(2)),
  acked,
  acked_total: ackedTotal,
  ack_timeouts_total: timeoutsTotal,
  acked_per_s: Number((acked / seconds).toFixed(1)),
  latency_ms: Object.fromEntries(
    [50, 95, 99].map((p) => [`p${p}`, Number(percentile(latencies, p).toFixed(1))])
      .concat([["max", Number((latencies.at(-1) ?? NaN).toFixed(1))]])),
  refusals: Object.fromEntries(codes),
  database_locked_in_acks: lockedMessages,
  rediscuss_pushes: pushes.rediscuss,
};
console.log(`connections         ${result.connections}` +
            (RATE > 0 ? ` paced to ${RATE} marks/s in all` : " unpaced"));
console.log(`measured            ${result.seconds} s (after ${WARMUP / 1000} s warm-up)`);
console.log(`acknowledged marks  ${result.acked} (${result.acked_per_s}/s)`);
console.log(`ack latency ms      p50 ${result.latency_ms.p50}  p95 ${result.latency_ms.p95}` +
            `  p99 ${result.latency_ms.p99}  max ${result.latency_ms.max}`);
console.log(`refusals by code    ${JSON.stringify(result.refusals)}`);
console.log(`rediscuss pushes    ${result.rediscuss_pushes}`);
if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2));
process.exit(0);
