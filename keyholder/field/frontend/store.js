// The phone's store (IndexedDB through Dexie): the records of the user's scope as the last
// pull left them, the outbox of records made here and not yet answered, and a few settings.
import Dexie from "dexie";

export const db = new Dexie("keyholder-field");
db.version(1).stores({
  // {type, id, data, local}: local is 1 for a record made on this phone and not yet pulled.
  records: "[type+id], type",
  // {seq, id, kind: "record" | "photo", type, data, made_at, state: "waiting" | "refused",
  //  code, message, parent, parentType, blob, taken_at}
  outbox: "++seq, &id, kind, parent",
  meta: "key",
});

export async function meta(key, fallback = null) {
  const row = await db.meta.get(key);
  return row ? row.value : fallback;
}

export function setMeta(key, value) {
  return db.meta.put({ key, value });
}

export function all(type) {
  return db.records.where("type").equals(type).toArray();
}

export async function get(type, id) {
  return db.records.get([type, id]);
}

// Drop the pulled records (a reset, a wipe) but keep what this phone made and has not sent.
export async function dropScope() {
  await db.transaction("rw", db.records, db.meta, async () => {
    await db.records.filter((r) => !r.local).delete();
    await db.meta.delete("cursor");
  });
}

export async function dropEverything() {
  await db.transaction("rw", db.records, db.outbox, db.meta, async () => {
    await db.records.clear();
    await db.outbox.clear();
    await db.meta.clear();
  });
}

// A record made here: into the outbox to be sent and into the records to be shown at once.
export async function keep(type, data, photos = []) {
  const id = crypto.randomUUID();
  const made_at = new Date().toISOString();
  await db.transaction("rw", db.records, db.outbox, async () => {
    await db.outbox.add({ id, kind: "record", type, data, made_at, state: "waiting" });
    await db.records.put({ type, id, data, local: 1 });
    for (const photo of photos) {
      await db.outbox.add({
        id: crypto.randomUUID(),
        kind: "photo",
        parent: id,
        parentType: type,
        blob: photo.blob,
        taken_at: photo.taken_at,
        made_at,
        state: "waiting",
      });
    }
  });
  return id;
}

// Remove a record from the outbox on purpose, with its photos and its local copy.
export async function discard(id) {
  await db.transaction("rw", db.records, db.outbox, async () => {
    const item = await db.outbox.where("id").equals(id).first();
    if (!item) return;
    await db.outbox.where("parent").equals(id).delete();
    await db.outbox.delete(item.seq);
    if (item.kind === "record") {
      const copy = await db.records.get([item.type, id]);
      if (copy && copy.local) await db.records.delete([item.type, id]);
    }
  });
}
