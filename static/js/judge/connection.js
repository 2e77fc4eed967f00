// The /judge socket: its state for the status pill, a send() that resolves with the
// server's ack, and the server's pushes. Uses the vendored socket.io client (global io).
//
// States: "connected"; "offline" (the tablet has no network: navigator.onLine is false);
// "reconnecting" (network present, socket not connected yet). When the browser says the
// network is gone the socket is closed at once instead of waiting for ping timeouts, and
// opened again when the network returns.

const ACK_TIMEOUT_MS = 8000;
const PUSHES = ["rediscuss", "module_locked", "reassigned"];

export class Connection {
  // hooks: onState(state), onConnect(), onPush(event, data), onRefused()
  constructor(token, hooks) {
    this.hooks = hooks;
    this.inflight = new Set();
    this.state = null;
    this.socket = window.io("/judge", {
      auth: { token },
      autoConnect: false,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket.on("connect", () => {
      this.setState("connected");
      this.hooks.onConnect();
    });
    this.socket.on("disconnect", (reason) => {
      this.failInflight();
      this.setState(navigator.onLine ? "reconnecting" : "offline");
      // Nothing queued by the client library may go out later: the outbox resends.
      this.socket.sendBuffer = [];
      if (reason === "io server disconnect" && navigator.onLine) {
        setTimeout(() => this.socket.connect(), 2000);
      }
    });
    this.socket.on("connect_error", () => {
      if (!this.socket.active) {
        this.hooks.onRefused(); // the server refused the token: no automatic retry
      } else {
        this.setState(navigator.onLine ? "reconnecting" : "offline");
      }
    });
    for (const event of PUSHES) {
      this.socket.on(event, (data) => this.hooks.onPush(event, data || {}));
    }
    // A new assignment (a substitute, say): ask to join that project's pushes too.
    this.socket.on("reassigned", () => this.socket.emit("rejoin"));
    window.addEventListener("offline", () => {
      this.socket.disconnect();
      this.failInflight();
      this.setState("offline");
    });
    window.addEventListener("online", () => this.open());
  }

  open() {
    if (!navigator.onLine) {
      this.setState("offline");
      return;
    }
    this.setState("reconnecting");
    if (!this.socket.connected) this.socket.connect();
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.hooks.onState(state);
  }

  get connected() {
    return this.socket.connected;
  }

  // Resolves with the ack; rejects on a timeout, or with "disconnected" when the
  // connection drops first (so the outbox can resend right after reconnecting).
  send(payload) {
    return new Promise((resolve, reject) => {
      if (!this.socket.connected) {
        reject(new Error("disconnected"));
        return;
      }
      const call = { reject };
      this.inflight.add(call);
      this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck("submit_mark", payload)
        .then(resolve, reject)
        .finally(() => this.inflight.delete(call));
    });
  }

  failInflight() {
    for (const call of this.inflight) call.reject(new Error("disconnected"));
    this.inflight.clear();
  }
}
