// Small DOM helpers: elements are built with text nodes, never from HTML strings.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

export function options(choices, selected = "", blank = false) {
  return [
    blank ? h("option", { value: "" }, "—") : null,
    choices.map(([value, label]) => h("option", { value, selected: value === selected }, label)),
  ];
}

export function field(label, control, extra = {}) {
  return h("label", { class: "field", ...extra }, h("span", {}, label), control);
}

export function fill(form, data) {
  for (const [key, value] of Object.entries(data || {})) {
    const control = form.elements.namedItem(key);
    if (control && "value" in control && value !== null && typeof value !== "object") {
      control.value = String(value);
    }
  }
}

// Children as h() takes them (nested arrays, nulls left out), for append and replaceChildren.
export function kids(...children) {
  return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);
}
