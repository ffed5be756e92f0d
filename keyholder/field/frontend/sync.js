// The sync with the server (docs/sync.md): push the outbox oldest first in batches, then the
// photos one by one after their record, then pull the scope page by page.
import { db, dropScope, meta, setMeta } from "./store.js";

const BATCH = 50;

export class SignedOut extends Error {}

function csrf(cfg) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : cfg.csrf;
}

async function call(cfg, url, options = {}) {
  const headers = { "Accept-Language": cfg.language, ...(options.headers || {}) };
  if (options.method === "POST") headers["X-CSRFToken"] = csrf(cfg);
  const response = await fetch(url, { credentials: "same-origin", ...options, headers });
  if (response.status === 401 || response.status === 403) throw new SignedOut();
  return response;
}

function base64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

async function wire(item) {
  const data = { ...item.data };
  // A visit with a failed check carries its photos inside (the server refuses it without).
  if (item.type === "visit" && data.photos) {
    data.photos = await Promise.all(
      data.photos.map(async (p) => ({ id: p.id, data: await base64(p.blob) })),
    );
  }
  return { type: item.type, id: item.id, made_at: item.made_at, data };
}

async function pushRecords(cfg) {
  for (;;) {
    const batch = (await db.outbox.orderBy("seq").toArray())
      .filter((i) => i.kind === "record" && i.state === "waiting")
      .slice(0, BATCH);
    if (!batch.length) return;
    const response = await call(cfg, cfg.urls.push, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ records: await Promise.all(batch.map(wire)) }),
    });
    if (!response.ok) throw new Error(`push ${response.status}`);
    const { results } = await response.json();
    let retry = false;
    await db.transaction("rw", db.outbox, db.records, async () => {
      for (const result of results) {
        const item = batch.find((i) => i.id === result.id);
        if (!item) continue;
        if (result.result === "created" || result.result === "exists") {
          await db.outbox.delete(item.seq);
          const copy = await db.records.get([item.type, item.id]);
          if (copy) await db.records.put({ ...copy, local: 0 });
        } else if (result.code === "internal") {
          retry = true;
        } else {
          await db.outbox.update(item.seq, {
            state: "refused",
            code: result.code,
            message: result.message,
            field: result.field,
          });
        }
      }
    });
    // A server fault: the records stay waiting for the next sync.
    if (retry) return;
  }
}

async function pushPhotos(cfg) {
  const photos = (await db.outbox.orderBy("seq").toArray()).filter(
    (i) => i.kind === "photo" && i.state === "waiting",
  );
  for (const photo of photos) {
    // After its visit or incident only: while the record waits (or was refused), so does it.
    if (await db.outbox.where("id").equals(photo.parent).count()) continue;
    const form = new FormData();
    form.append("id", photo.id);
    form.append(photo.parentType, photo.parent);
    form.append("taken_at", photo.taken_at);
    form.append("image", photo.blob, `${photo.id}.jpg`);
    const response = await call(cfg, cfg.urls.photos, { method: "POST", body: form });
    if (response.ok) {
      await db.outbox.delete(photo.seq);
    } else if (response.status >= 500) {
      return;
    } else {
      const problem = await response.json().catch(() => ({}));
      await db.outbox.update(photo.seq, {
        state: "refused",
        code: problem.code,
        message: problem.message,
      });
    }
  }
}

async function pull(cfg) {
  let cursor = await meta("cursor");
  for (;;) {
    const query = new URLSearchParams({ limit: "500" });
    if (cursor) query.set("cursor", cursor);
    const response = await call(cfg, `${cfg.urls.pull}?${query}`);
    if (!response.ok) throw new Error(`pull ${response.status}`);
    const page = await response.json();
    if (page.reset) await dropScope();
    await db.transaction("rw", db.records, db.meta, async () => {
      for (const change of page.changes) {
        if (change.op === "delete") {
          await db.records.delete([change.type, change.id]);
        } else {
          await db.records.put({ type: change.type, id: change.id, data: change.data, local: 0 });
        }
      }
      await db.meta.put({ key: "cursor", value: page.cursor });
      if (!page.more) {
        await db.meta.put({ key: "last_pull", value: Date.now() });
        await db.meta.put({ key: "wipe_after_days", value: page.wipe_after_days });
      }
    });
    cursor = page.cursor;
    if (!page.more) return;
  }
}

let running = null;

// One sync at a time; a second call while one runs waits for it.
export function sync(cfg) {
  if (!running) {
    running = (async () => {
      try {
        await pushRecords(cfg);
        await pushPhotos(cfg);
        await pull(cfg);
        await setMeta("last_sync", Date.now());
      } finally {
        running = null;
      }
    })();
  }
  return running;
}

// After wipe_after_days without a complete pull the scope goes; the outbox never does.
export async function wipeIfStale(cfg) {
  const last = await meta("last_pull");
  const days = await meta("wipe_after_days", cfg.wipe_after_days);
  if (last && Date.now() - last > days * 86400000) {
    await dropScope();
    await db.meta.delete("last_pull");
    return true;
  }
  return false;
}
