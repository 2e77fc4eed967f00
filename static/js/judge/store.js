// What the tablet keeps across reloads and closed browsers.
//  - The outbox of marks not yet acknowledged: IndexedDB, written with "strict" durability
//    (flushed to disk) before a mark is sent. localStorage is the fallback where
//    IndexedDB cannot be opened.
//  - Small things (device id, token, cached assignments, where the judge was): localStorage.

const PREFIX = "saiping.judge.";

export const local = {
  get(key, fallback = null) {
    try {
      const raw = window.localStorage.getItem(PREFIX + key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (error) {
      return fallback;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(PREFIX + key, JSON.stringify(value));
      return true;
    } catch (error) {
      return false; // full or forbidden: the caller keeps working from memory
    }
  },
  remove(key) {
    try {
      window.localStorage.removeItem(PREFIX + key);
    } catch (error) {
      /* nothing to remove */
    }
  },
};

// A v4 UUID. crypto.randomUUID exists only in secure contexts (https, localhost); a
// venue server on plain http still gets proper random ids from getRandomValues.
export function uuid4() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function deviceId() {
  let id = local.get("device");
  if (!id) {
    id = uuid4();
    local.set("device", id);
  }
  return id;
}

const DB_NAME = "saiping-judge";
const STORE = "outbox";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

class IndexedDbStore {
  constructor(db) {
    this.db = db;
  }

  async all() {
    const tx = this.db.transaction(STORE, "readonly");
    return request(tx.objectStore(STORE).getAll());
  }

  write(apply) {
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
      apply(tx.objectStore(STORE));
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("aborted"));
    });
  }

  put(entry) {
    return this.write((store) => store.put(entry));
  }

  delete(clientId) {
    return this.write((store) => store.delete(clientId));
  }
}

class LocalStorageStore {
  async all() {
    return Object.values(local.get("outbox", {}));
  }

  async put(entry) {
    const all = local.get("outbox", {});
    all[entry.client_id] = entry;
    if (!local.set("outbox", all)) throw new Error("localStorage is full");
  }

  async delete(clientId) {
    const all = local.get("outbox", {});
    delete all[clientId];
    local.set("outbox", all);
  }
}

export async function openOutboxStore() {
  if (!window.indexedDB) return new LocalStorageStore();
  try {
    const open = window.indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "client_id" });
    return new IndexedDbStore(await request(open));
  } catch (error) {
    return new LocalStorageStore();
  }
}
