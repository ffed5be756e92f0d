// The field app: one page under /field/ for keyholders and enumerators (docs/field-app.md).
// Screens are drawn from the phone's store; what the user records goes to the outbox and is
// sent by the sync. Every sentence comes from the server's catalogue (the shell's config).
import { db, dropEverything, keep, discard, meta, setMeta, all, get } from "./store.js";
import { sync, wipeIfStale, SignedOut } from "./sync.js";
import { downscale } from "./photos.js";
import { h, today, options, field, fill, kids } from "./ui.js";

const cfg = JSON.parse(document.getElementById("field-config").textContent);
const S = cfg.strings;
const main = document.getElementById("app");
const plural = new Intl.PluralRules(cfg.language);

function t(key, params = {}) {
  return (S[key] || key).replace(/\{(\w+)\}/g, (_, name) => params[name] ?? "");
}

function tn(key, n) {
  const forms = cfg.plurals[key];
  const rule = plural.select(n);
  const form = rule === "one" ? forms[0] : rule === "few" ? forms[1] : forms[2];
  return form.replace("{n}", String(n));
}

function label(choices, value) {
  const found = (choices || []).find(([v]) => v === value);
  return found ? found[1] : value;
}

function go(path) {
  location.hash = `#${path}`;
}

// A sentence for the next screen drawn (after a save, the route changes first).
let notice = null;

function screen(title, ...children) {
  const shown = notice ? h("p", { class: "flash saved", role: "status" }, notice) : null;
  notice = null;
  main.replaceChildren(shown || "", h("h1", {}, title), ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  window.scrollTo(0, 0);
}

function flash(text) {
  const note = h("p", { class: "flash", role: "status" }, text);
  main.prepend(note);
}

// The outbox's state of one record: null (sent or pulled), or its waiting/refused item.
async function pending(id) {
  return db.outbox.where("id").equals(id).first();
}

function mark(item) {
  if (!item) return null;
  if (item.state === "refused") return h("span", { class: "badge refused" }, t("refused"));
  return h("span", { class: "badge waiting" }, t("not_sent"));
}

// ---- The status line: offline banner, what waits, the last sync, the sync button. ----

async function refreshStatus() {
  const banner = document.getElementById("offline");
  banner.hidden = navigator.onLine;
  banner.textContent = S.offline;
  const waiting = await db.outbox.count();
  const refused = await db.outbox.where("kind").equals("record").filter((i) => i.state === "refused").count();
  const status = document.getElementById("waiting");
  status.replaceChildren(...kids(
    waiting ? h("a", { href: "#/outbox" }, tn("waiting", waiting)) : S.waiting_none,
    refused ? h("a", { href: "#/outbox", class: "badge refused" }, `${t("refused")}: ${refused}`) : null,
  ));
  const last = await meta("last_sync");
  document.getElementById("lastsync").textContent = last
    ? t("last_sync", { time: new Date(last).toLocaleString(cfg.language) })
    : S.never_synced;
}

let syncing = false;

async function runSync() {
  if (!navigator.onLine || syncing) return refreshStatus();
  syncing = true;
  const button = document.getElementById("sync");
  button.disabled = true;
  button.textContent = S.syncing;
  try {
    await sync(cfg);
    document.body.dataset.synced = String(Date.now());
  } catch (error) {
    if (error instanceof SignedOut) {
      main.prepend(h("p", { class: "flash error" }, S.signed_out, " ", h("a", { href: cfg.urls.signin }, S.sign_in)));
    } else {
      console.warn(error);
      main.prepend(h("p", { class: "flash error" }, S.sync_failed));
    }
  } finally {
    syncing = false;
    button.disabled = false;
    button.textContent = S.sync;
    await refreshStatus();
    await route();
  }
}

// ---- Keyholder screens. ----

async function keeperData() {
  const [houses, agreements, tasks] = await Promise.all([all("house"), all("agreement"), all("task")]);
  const houseById = new Map(houses.map((r) => [r.id, r.data]));
  return { houseById, agreements, tasks };
}

function taskTitle(task) {
  return task.data.title || label(cfg.duty_kinds, task.data.kind);
}

function address(house) {
  return house ? `${house.street} ${house.number}`.trim() : "";
}

async function keeperHome() {
  const { houseById, agreements, tasks } = await keeperData();
  const now = today();
  const due = tasks
    .filter((r) => r.data.status === "due" && r.data.due_date <= now)
    .sort((a, b) => a.data.due_date.localeCompare(b.data.due_date));
  const agreementOf = new Map(agreements.map((r) => [r.id, r.data]));
  const byStreet = new Map();
  for (const task of due) {
    const agreement = agreementOf.get(task.data.agreement);
    const house = agreement && houseById.get(agreement.house);
    const street = house ? house.street : "";
    if (!byStreet.has(street)) byStreet.set(street, []);
    byStreet.get(street).push({ task, house });
  }
  const streets = [...byStreet.keys()].sort();
  screen(
    S.due_overdue,
    streets.length
      ? streets.map((street) =>
          h(
            "section",
            { class: "street" },
            h("h2", {}, street || "—"),
            h(
              "ul",
              { class: "list" },
              byStreet.get(street).map(({ task, house }) =>
                h(
                  "li",
                  {},
                  h(
                    "a",
                    { href: `#/a/${task.data.agreement}`, class: "task", "data-task": task.id },
                    h("strong", {}, address(house)),
                    " ",
                    taskTitle(task),
                    " ",
                    h(
                      "small",
                      { class: task.data.due_date < now ? "late" : "" },
                      task.data.due_date < now
                        ? t("overdue", { date: task.data.due_date })
                        : t("due", { date: task.data.due_date }),
                    ),
                  ),
                ),
              ),
            ),
          ),
        )
      : h("p", {}, agreements.length ? S.nothing_due : S.empty_scope),
    h("h2", {}, S.houses),
    h(
      "ul",
      { class: "list" },
      agreements
        .map((r) => ({ r, house: houseById.get(r.data.house) }))
        .sort((a, b) => address(a.house).localeCompare(address(b.house)))
        .map(({ r, house }) => h("li", {}, h("a", { href: `#/a/${r.id}` }, address(house) || r.id))),
    ),
    h("p", {}, h("a", { href: "#/water", class: "button" }, S.water_turns)),
  );
}

async function housePage(agreementId) {
  const agreement = await get("agreement", agreementId);
  if (!agreement) return go("/");
  const house = (await get("house", agreement.data.house))?.data;
  const tasks = (await all("task"))
    .filter((r) => r.data.agreement === agreementId && r.data.status === "due")
    .sort((a, b) => a.data.due_date.localeCompare(b.data.due_date));
  const made = (await db.outbox.orderBy("seq").toArray()).filter(
    (i) => i.kind === "record" && i.data.agreement === agreementId,
  );
  const trees = Object.entries(house?.trees || {}).map(([k, n]) => `${k} ${n}`).join(", ");
  screen(
    address(house),
    h("p", {}, `${S.owners}: ${agreement.data.owners.join(", ") || "—"}`),
    trees ? h("p", {}, `${S.trees}: ${trees}`) : null,
    agreement.data.notes ? h("p", { class: "notes" }, agreement.data.notes) : null,
    h("h2", {}, S.tasks),
    h(
      "ul",
      { class: "list" },
      tasks.map((r) => h("li", {}, `${taskTitle(r)} — ${r.data.due_date}`)),
    ),
    h(
      "p",
      { class: "actions" },
      h("a", { href: `#/a/${agreementId}/visit`, class: "button", id: "record-visit" }, S.record_visit),
      h("a", { href: `#/a/${agreementId}/incident`, class: "button", id: "report-incident" }, S.report_incident),
    ),
    made.length
      ? [
          h("h2", {}, S.outbox),
          h(
            "ul",
            { class: "list" },
            made.map((i) => h("li", {}, `${i.type === "visit" ? S.visit : S.incident} ${new Date(i.made_at).toLocaleString(cfg.language)} `, mark(i))),
          ),
        ]
      : null,
  );
}

function photoInput(list) {
  const count = h("small", {});
  const input = h("input", {
    type: "file",
    name: "photos",
    accept: "image/*",
    capture: "environment",
    multiple: true,
    onchange: async () => {
      for (const file of input.files) list.push(await downscale(file));
      input.value = "";
      count.textContent = t("photo_added", { n: list.length });
      input.dispatchEvent(new CustomEvent("photos-ready", { bubbles: true }));
    },
  });
  return field(S.photos, h("span", {}, input, " ", count));
}

async function visitForm(agreementId, fixing) {
  const agreement = await get("agreement", agreementId);
  if (!agreement) return go("/");
  const started = fixing?.data.checked_in_at || new Date().toISOString();
  const duties = (await all("duty")).filter((r) => r.data.agreement === agreementId);
  const tasks = (await all("task")).filter(
    (r) => r.data.agreement === agreementId && r.data.status === "due" && r.data.due_date <= today(),
  );
  const photos = [];
  const checklistBox = h("fieldset", { class: "checklist" });
  const form = h("form", { class: "stack", id: "visit-form" });
  function kinds() {
    const chosen = tasks.filter((r) => form.elements.namedItem(`task-${r.id}`)?.checked);
    const from = chosen.length ? chosen : duties;
    return new Set(from.map((r) => r.data.kind));
  }
  function drawChecklist() {
    const keys = new Set([...kinds()].flatMap((k) => cfg.by_duty[k] || []));
    const previous = fixing?.data.checklist || {};
    checklistBox.replaceChildren(
      ...kids(h("legend", {}, S.checklist),
      cfg.checklist
        .filter((item) => keys.has(item.key))
        .map((item) =>
          item.kind === "reading"
            ? field(item.label, h("input", { name: `c-${item.key}`, inputmode: "decimal", value: previous[item.key] ?? "" }))
            : h(
                "div",
                { class: "check", "data-key": item.key },
                h("span", {}, item.label),
                h("label", { class: "ok" }, h("input", { type: "radio", name: `c-${item.key}`, value: "yes", checked: previous[item.key] === true }), S.fine),
                h("label", { class: "bad" }, h("input", { type: "radio", name: `c-${item.key}`, value: "no", checked: previous[item.key] === false }), S.problem),
              ),
        )),
    );
  }
  const error = h("p", { class: "flash error", hidden: true });
  form.append(...kids(
    tasks.length
      ? h(
          "fieldset",
          { onchange: drawChecklist },
          h("legend", {}, S.tasks),
          tasks.map((r) =>
            h(
              "label",
              { class: "row" },
              h("input", { type: "checkbox", name: `task-${r.id}`, checked: fixing ? fixing.data.tasks.includes(r.id) : true }),
              ` ${taskTitle(r)} (${r.data.due_date})`,
            ),
          ),
        )
      : null,
    checklistBox,
    field(S.notes, h("textarea", { name: "notes", rows: 3 })),
    photoInput(photos),
    error,
    h("button", { type: "submit" }, S.save),
  ));
  drawChecklist();
  if (fixing) fill(form, { notes: fixing.data.notes });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const checklist = {};
    let failed = false;
    for (const item of cfg.checklist) {
      const control = form.elements.namedItem(`c-${item.key}`);
      if (!control) continue;
      if (item.kind === "reading") {
        if (control.value.trim()) checklist[item.key] = control.value.trim();
      } else if (control.value === "yes" || control.value === "no") {
        checklist[item.key] = control.value === "yes";
        failed ||= control.value === "no";
      }
    }
    const notes = form.elements.namedItem("notes").value.trim();
    const carried = fixing?.data.photos || [];
    // The server's rule, said before anything is saved: a problem needs a note and a photo.
    if (failed && !notes) return Object.assign(error, { hidden: false, textContent: S.failed_needs_note });
    if (failed && !photos.length && !carried.length) return Object.assign(error, { hidden: false, textContent: S.failed_needs_photo });
    const data = {
      agreement: agreementId,
      checked_in_at: started,
      checked_out_at: new Date().toISOString(),
      tasks: tasks.filter((r) => form.elements.namedItem(`task-${r.id}`)?.checked).map((r) => r.id),
      checklist,
      notes,
    };
    let separate = photos;
    if (failed) {
      data.photos = [...carried, ...photos.map((p) => ({ id: crypto.randomUUID(), blob: p.blob }))];
      separate = [];
    }
    if (fixing) await discard(fixing.id);
    await keep("visit", data, separate);
    // The tasks it does leave today's list at once; the next pull confirms it.
    for (const id of data.tasks) {
      const task = await get("task", id);
      if (task) await db.records.put({ ...task, data: { ...task.data, status: "done" } });
    }
    afterSave(`/a/${agreementId}`);
  });
  screen(`${S.visit}: ${address((await get("house", agreement.data.house))?.data)}`, form);
}

async function incidentForm(agreementId, fixing) {
  const agreement = await get("agreement", agreementId);
  if (!agreement) return go("/");
  const photos = [];
  const form = h(
    "form",
    { class: "stack", id: "incident-form" },
    field(S.kind, h("select", { name: "kind", required: true }, options(cfg.incident_kinds))),
    field(S.severity, h("select", { name: "severity", required: true }, options(cfg.severities))),
    field(S.date, h("input", { type: "date", name: "occurred_on", value: today(), max: today(), required: true })),
    field(S.notes, h("textarea", { name: "notes", rows: 3 })),
    field(S.cost, h("span", { class: "row" }, h("input", { name: "cost_amount", inputmode: "decimal", size: 8 }), h("select", { name: "cost_currency" }, options([["TJS", "TJS"], ["RUB", "RUB"], ["USD", "USD"]])))),
    photoInput(photos),
    h("button", { type: "submit" }, S.save),
  );
  if (fixing) fill(form, fixing.data);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => form.elements.namedItem(name).value.trim();
    const cost = value("cost_amount").replace(",", ".");
    const data = {
      agreement: agreementId,
      occurred_on: value("occurred_on"),
      kind: value("kind"),
      severity: value("severity"),
      notes: value("notes"),
      cost_amount: cost || null,
      cost_currency: cost ? value("cost_currency") : "",
    };
    if (fixing) await discard(fixing.id);
    await keep("incident", data, photos);
    afterSave(`/a/${agreementId}`);
  });
  screen(`${S.incident}: ${address((await get("house", agreement.data.house))?.data)}`, form);
}

async function waterTurns() {
  const turns = (await all("water_turn")).sort((a, b) => a.data.date.localeCompare(b.data.date));
  screen(
    S.water_turns,
    turns.length
      ? h("ul", { class: "list" }, turns.map((r) => h("li", { class: r.data.date === today() ? "today" : "" }, `${r.data.date} ${r.data.note || ""}`)))
      : h("p", {}, S.no_water_turns),
  );
}

// ---- Enumerator screens. ----

async function villages() {
  const households = await all("household");
  screen(
    S.villages,
    h(
      "ul",
      { class: "list" },
      cfg.villages.map(([code, name]) =>
        h("li", {}, h("a", { href: `#/v/${code}` }, name, " ", h("small", {}, String(households.filter((r) => r.data.village === code).length)))),
      ),
    ),
  );
}

async function village(code) {
  const houses = new Map((await all("house")).map((r) => [r.id, r.data]));
  const households = (await all("household"))
    .filter((r) => r.data.village === code)
    .sort((a, b) => a.data.name.localeCompare(b.data.name));
  const items = [];
  for (const r of households) {
    items.push(h("li", {}, h("a", { href: `#/h/${r.id}` }, r.data.name, " ", h("small", {}, address(houses.get(r.data.house)))), " ", mark(await pending(r.id))));
  }
  screen(
    label(cfg.villages, code),
    h("p", {}, h("a", { href: `#/v/${code}/new`, class: "button", id: "add-household" }, S.add_household)),
    h("ul", { class: "list" }, items),
  );
}

async function householdForm(code, fixing) {
  const houses = (await all("house")).filter((r) => r.data.village === code);
  const form = h(
    "form",
    { class: "stack", id: "household-form" },
    field(S.name, h("input", { name: "name", required: true, maxlength: 200 })),
    field(S.house, h("select", { name: "house" }, h("option", { value: "" }, S.no_house), houses.map((r) => h("option", { value: r.id }, address(r.data))))),
    field(S.notes, h("textarea", { name: "notes", rows: 2 })),
    h("button", { type: "submit" }, S.save),
  );
  if (fixing) fill(form, fixing.data);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => form.elements.namedItem(name).value.trim();
    if (fixing) await discard(fixing.id);
    const id = await keep("household", { village: code, name: value("name"), house: value("house") || null, notes: value("notes") });
    afterSave(`/h/${id}`);
  });
  screen(`${S.add_household}: ${label(cfg.villages, code)}`, form);
}

async function household(id) {
  const record = await get("household", id);
  if (!record) return go("/");
  const persons = (await all("person")).filter((r) => r.data.household === id);
  const events = await all("event");
  const cards = [];
  for (const person of persons) {
    const own = events.filter((e) => e.data.person === person.id).sort((a, b) => a.data.date.localeCompare(b.data.date));
    const lines = [];
    for (const e of own) {
      const item = await pending(e.id);
      lines.push(
        h(
          "li",
          { "data-event": e.id },
          `${e.data.date} ${label(cfg.event_kinds, e.data.kind)} ${e.data.country || ""} ${e.data.destination || ""}`,
          " ",
          mark(item),
          item?.state === "refused" ? h("span", { class: "message" }, item.message) : null,
        ),
      );
    }
    cards.push(
      h(
        "section",
        { class: "card", id: `person-${person.id}` },
        h("h3", {}, `${person.data.given_name} ${person.data.family_name}`, " ", h("small", {}, `${person.data.birth_year}, ${label(cfg.relations, person.data.relation)}`), " ", mark(await pending(person.id))),
        lines.length ? h("ul", { class: "events" }, lines) : h("p", {}, S.no_events),
        h("a", { href: `#/p/${person.id}/event`, class: "button record-event" }, S.record_event),
      ),
    );
  }
  screen(
    record.data.name,
    h("p", {}, h("a", { href: `#/v/${record.data.village}` }, label(cfg.villages, record.data.village)), " ", mark(await pending(id))),
    h("h2", {}, S.members),
    cards,
    h("p", {}, h("a", { href: `#/h/${id}/person`, class: "button", id: "add-person" }, S.add_person)),
  );
}

async function personForm(householdId, fixing) {
  const record = await get("household", householdId);
  if (!record) return go("/");
  const form = h(
    "form",
    { class: "stack", id: "person-form" },
    field(S.given_name, h("input", { name: "given_name", required: true, maxlength: 100 })),
    field(S.family_name, h("input", { name: "family_name", maxlength: 100, value: record.data.name })),
    field(S.sex, h("select", { name: "sex", required: true }, options(cfg.sexes, "", true))),
    field(S.birth_year, h("input", { name: "birth_year", type: "number", min: 1900, max: new Date().getFullYear(), required: true })),
    field(S.relation, h("select", { name: "relation" }, options(cfg.relations, "other"))),
    field(S.phone, h("input", { name: "phone", type: "tel" })),
    h("button", { type: "submit" }, S.save),
  );
  if (fixing) fill(form, fixing.data);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => form.elements.namedItem(name).value.trim();
    const data = {
      household: householdId,
      given_name: value("given_name"),
      family_name: value("family_name"),
      sex: value("sex"),
      birth_year: Number(value("birth_year")),
      relation: value("relation"),
      phone: value("phone"),
    };
    if (fixing) await discard(fixing.id);
    await keep("person", data);
    afterSave(`/h/${householdId}`);
  });
  screen(`${S.add_person}: ${record.data.name}`, form);
}

const EVENT_CONTROLS = {
  country: () => h("select", { name: "country" }, options(cfg.countries, "", true)),
  destination: () => h("input", { name: "destination", maxlength: 200 }),
  purpose: () => h("select", { name: "purpose" }, options(cfg.purposes, "", true)),
  until: () => h("input", { name: "until", type: "date" }),
  moved_to: () => h("input", { name: "moved_to", placeholder: "TJ-SU-ASHT-…" }),
  note: () => h("input", { name: "note" }),
};

async function eventForm(personId, fixing) {
  const person = await get("person", personId);
  if (!person) return go("/");
  const extra = h("div", { class: "stack" });
  const kind = h("select", { name: "kind", required: true }, options(cfg.event_kinds, "", true));
  function drawFields() {
    const wanted = cfg.event_fields[kind.value] || [];
    const required = cfg.event_required[kind.value] || [];
    extra.replaceChildren(
      ...wanted.map((name) => {
        const control = EVENT_CONTROLS[name]();
        control.required = required.includes(name);
        return field(S[name], control, { "data-field": name });
      }),
    );
  }
  kind.addEventListener("change", drawFields);
  const form = h(
    "form",
    { class: "stack", id: "event-form" },
    field(S.what_happened, kind),
    field(S.date, h("input", { name: "date", type: "date", max: today(), required: true })),
    extra,
    h("button", { type: "submit" }, S.save),
  );
  if (fixing) {
    kind.value = fixing.data.kind;
    drawFields();
    fill(form, fixing.data);
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = { person: personId, kind: kind.value, date: form.elements.namedItem("date").value };
    // Only the fields of this kind of event travel.
    for (const name of cfg.event_fields[kind.value] || []) {
      const value = form.elements.namedItem(name).value.trim();
      if (value) data[name] = value;
    }
    if (fixing) await discard(fixing.id);
    await keep("event", data);
    afterSave(`/h/${person.data.household}`);
  });
  screen(`${S.record_event}: ${person.data.given_name} ${person.data.family_name}`, form);
}

// ---- The outbox. ----

const FORMS = {
  visit: (item) => visitForm(item.data.agreement, item),
  incident: (item) => incidentForm(item.data.agreement, item),
  household: (item) => householdForm(item.data.village, item),
  person: (item) => personForm(item.data.household, item),
  event: (item) => eventForm(item.data.person, item),
};

async function outbox() {
  const items = await db.outbox.orderBy("seq").toArray();
  screen(
    S.outbox,
    items.length ? null : h("p", {}, S.waiting_none),
    h(
      "ul",
      { class: "list outbox" },
      items.map((item) =>
        h(
          "li",
          { "data-id": item.id, "data-state": item.state },
          h("strong", {}, item.kind === "photo" ? S.photos : item.type),
          " ",
          new Date(item.made_at).toLocaleString(cfg.language),
          " ",
          mark(item),
          item.state === "refused" ? h("p", { class: "message" }, item.message || item.code) : null,
          item.state === "refused" && FORMS[item.type]
            ? h("button", { type: "button", class: "fix", onclick: () => FORMS[item.type](item) }, S.fix)
            : null,
          item.state === "refused"
            ? h("button", { type: "button", class: "discard", onclick: async () => {
                if (!confirm(S.discard_confirm)) return;
                await discard(item.id);
                await refreshStatus();
                outbox();
              } }, S.discard)
            : null,
        ),
      ),
    ),
  );
}

async function afterSave(path) {
  notice = S.saved;
  if (location.hash === `#${path}`) await route();
  else go(path);
  await refreshStatus();
  if (navigator.onLine) runSync();
}

// ---- Routing and start. ----

const ROUTES = [
  [/^\/outbox$/, () => outbox()],
  [/^\/water$/, () => waterTurns()],
  [/^\/a\/([\w-]+)$/, (id) => housePage(id)],
  [/^\/a\/([\w-]+)\/visit$/, (id) => visitForm(id)],
  [/^\/a\/([\w-]+)\/incident$/, (id) => incidentForm(id)],
  [/^\/v\/([\w-]+)$/, (code) => village(code)],
  [/^\/v\/([\w-]+)\/new$/, (code) => householdForm(code)],
  [/^\/h\/([\w-]+)$/, (id) => household(id)],
  [/^\/h\/([\w-]+)\/person$/, (id) => personForm(id)],
  [/^\/p\/([\w-]+)\/event$/, (id) => eventForm(id)],
];

async function route() {
  const path = location.hash.replace(/^#/, "") || "/";
  for (const [pattern, draw] of ROUTES) {
    const match = path.match(pattern);
    if (match) return draw(...match.slice(1));
  }
  if (cfg.role === "keyholder") return keeperHome();
  if (cfg.role === "enumerator") return villages();
  screen(S.not_for_role);
}

async function signOut() {
  const waiting = await db.outbox.count();
  if (waiting && !confirm(S.sign_out_waiting)) return;
  // Nothing of the scope stays on the phone: the store, and the cached shell with the name.
  db.close();
  await db.delete();
  if (window.caches) for (const key of await caches.keys()) await caches.delete(key);
  const form = h("form", { method: "post", action: cfg.urls.signout }, h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || cfg.csrf }));
  document.body.append(form);
  form.submit();
}

async function start() {
  // A phone handed to another account starts empty.
  const owner = await meta("user");
  if (owner !== null && owner !== cfg.user) await dropEverything();
  await setMeta("user", cfg.user);
  const wiped = await wipeIfStale(cfg);
  document.getElementById("sync").addEventListener("click", runSync);
  document.getElementById("signout").addEventListener("click", signOut);
  window.addEventListener("online", () => runSync());
  window.addEventListener("offline", refreshStatus);
  window.addEventListener("hashchange", route);
  await refreshStatus();
  await route();
  if (wiped) flash(S.wiped);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.urls.worker, { scope: "/field/" }).catch((e) => console.warn(e));
  }
  document.body.dataset.ready = "1";
  if (navigator.onLine && cfg.role) runSync();
}

start();
