// Drawing the tablet: plain DOM, rebuilt from the state on every change (a few dozen
// elements, so there is nothing to gain from diffing). No names appear unless the
// payload has them: an encrypted project sends workstation numbers only.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const fmt = (text, params = {}) =>
  String(text).replace(/\{(\w+)\}/g, (match, key) => (key in params ? params[key] : match));

export const number = (value) =>
  Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);

const SYMBOL = { done: "✓", pending: "…", error: "!", rediscuss: "↻", blocked: "—", open: "" };

// The state of one aspect for one competitor, as the judge should see it.
export function chipState(st) {
  if (st.blocked) return "blocked";
  if (st.error) return "error";
  if (st.rediscuss) return "rediscuss";
  if (st.pending) return "pending";
  if (st.mark) return "done";
  return "open";
}

export function competitorButton(ctx, c, progress, selected) {
  const { T } = ctx;
  const unavailable = c.conflict && !c.measurement_allowed;
  const complete = progress.total > 0 && progress.done === progress.total;
  return h(
    "button",
    {
      type: "button",
      class: `jt-comp${selected ? " is-selected" : ""}${c.conflict ? " is-conflict" : ""}${complete ? " is-complete" : ""}`,
      "data-competitor": c.id,
      "aria-pressed": selected ? "true" : "false",
      disabled: unavailable,
      onclick: () => ctx.selectCompetitor(c.id),
    },
    h("span", { class: "jt-comp-ws" }, fmt(T.workstation, { number: c.workstation || "—" })),
    c.name ? h("span", { class: "jt-comp-name" }, c.name) : null,
    h(
      "span",
      { class: "jt-comp-meta" },
      c.conflict
        ? h("span", { class: "jt-tag jt-tag-conflict", "data-recused": "" }, T.recused)
        : h("span", { class: "jt-comp-progress", "data-progress": "" },
          complete ? "✓ " : "", `${progress.done}/${progress.total}`),
      progress.pending ? h("span", { class: "jt-tag jt-tag-pending" }, `…${progress.pending}`) : null,
    ),
  );
}

export function moduleTab(ctx, m, progress, selected) {
  return h(
    "button",
    {
      type: "button",
      role: "tab",
      class: `jt-tab${selected ? " is-selected" : ""}${m.locked ? " is-locked" : ""}`,
      "aria-selected": selected ? "true" : "false",
      "data-module": m.id,
      onclick: () => ctx.selectModule(m.id),
    },
    h("span", { class: "jt-tab-letter" }, m.letter),
    h("span", { class: "jt-tab-name" }, m.name),
    h("span", { class: "jt-tab-progress" }, m.locked ? `🔒 ${ctx.T.locked}` : `${progress.done}/${progress.total}`),
    progress.pending && !m.locked ? h("span", { class: "jt-tag jt-tag-pending" }, `…${progress.pending}`) : null,
  );
}

export function aspectChip(ctx, m, a, index, st, selected) {
  const state = chipState(st);
  return h(
    "button",
    {
      type: "button",
      class: `jt-chip is-${state}${selected ? " is-selected" : ""}`,
      "data-aspect-chip": a.id,
      "data-state": state,
      "aria-current": selected ? "step" : null,
      onclick: () => ctx.selectAspect(a.id),
    },
    h("span", { class: "jt-chip-num" }, `${m.letter}${index + 1}`),
    h("span", { class: "jt-chip-type" }, a.type),
    SYMBOL[state] ? h("span", { class: "jt-chip-mark", "aria-hidden": "true" }, SYMBOL[state]) : null,
  );
}

// The value buttons: 0–3 with descriptors for J; zero, tolerance values and full for M.
export function valueOptions(ctx, a) {
  const { T } = ctx;
  if (a.type === "J") {
    const descriptors = a.descriptors && a.descriptors.length === 4 ? a.descriptors : T.descriptor_defaults;
    return a.allowed_values.map((v) => ({ value: v, big: String(v), text: descriptors[v] || "" }));
  }
  const labels = new Map((a.tolerances || []).map((t) => [Number(t.value), t.label]));
  return a.allowed_values.map((v) => {
    let text = labels.get(Number(v)) || "";
    if (Number(v) === 0) text = T.zero;
    else if (Number(v) === Number(a.max_mark)) text = a.requirement ? `${T.full} · ${a.requirement}` : T.full;
    return { value: v, big: number(v), text };
  });
}

export function statusLine(ctx, st) {
  const { T } = ctx;
  const lines = [];
  if (st.error) {
    lines.push(h("p", { class: "jt-msg jt-msg-error", "data-aspect-error": st.error.code, role: "alert" },
      h("strong", {}, `${T.not_saved}: `), st.error.message));
  }
  if (st.rediscuss) {
    const scores = st.rediscuss.length ? ` · ${fmt(T.rediscuss_scores, { scores: st.rediscuss.join(" / ") })}` : "";
    lines.push(h("p", { class: "jt-msg jt-msg-rediscuss", "data-rediscuss": "" }, `↻ ${T.rediscuss}${scores}`));
  }
  if (st.pending) {
    const text = st.sending ? T.sending : T.waiting;
    lines.push(h("p", { class: "jt-msg jt-msg-pending", "data-mark-state": "pending" }, `… ${text}`));
  } else if (st.mark && !st.error) {
    lines.push(h("p", { class: "jt-msg jt-msg-saved", "data-mark-state": "saved" },
      `✓ ${fmt(T.saved_version, { version: st.mark.version })}`));
  } else if (!st.error && !st.blocked) {
    lines.push(h("p", { class: "jt-msg jt-msg-open", "data-mark-state": "open" }, T.not_scored));
  }
  return lines;
}

export function aspectCard(ctx, c, m, a, index, total, st) {
  const { T } = ctx;
  const disabled = st.blocked || m.locked;
  const options = valueOptions(ctx, a);
  const typeLabel = a.type === "J" ? T.judgement : T.measurement;
  return h(
    "article",
    { class: `jt-aspect jt-aspect-${a.type}`, "data-aspect": a.id, "data-type": a.type },
    h(
      "header",
      { class: "jt-aspect-head" },
      h("span", { class: `jt-type jt-type-${a.type}` }, `${a.type} · ${typeLabel}`),
      h("span", { class: "jt-aspect-code", title: fmt(T.aspect_of, { n: index + 1, total }) }, `${m.letter}${index + 1}`),
      h("span", { class: "jt-aspect-max" }, fmt(T.max_mark, { max: number(a.max_mark) })),
    ),
    h("h2", { class: "jt-aspect-title" }, a.description),
    a.type === "M" && a.requirement
      ? h("p", { class: "jt-aspect-req" }, fmt(T.requirement, { text: a.requirement }))
      : null,
    m.locked ? h("p", { class: "jt-msg jt-msg-locked", "data-locked": "" }, `🔒 ${fmt(T.module_locked, { module: m.letter })}`) : null,
    st.blocked ? h("p", { class: "jt-msg jt-msg-blocked" }, c.measurement_allowed ? T.conflict_j : T.conflict_all) : null,
    h(
      "div",
      { class: `jt-values jt-values-${a.type} jt-values-n${options.length}`, role: "group", "aria-label": a.description },
      options.map((o) =>
        h(
          "button",
          {
            type: "button",
            class: `jt-value${st.value !== null && Number(st.value) === Number(o.value) ? " is-chosen" : ""}${st.pending ? " is-waiting" : ""}`,
            "data-value": o.value,
            "aria-pressed": st.value !== null && Number(st.value) === Number(o.value) ? "true" : "false",
            disabled,
            onclick: () => ctx.score(c, a, o.value),
          },
          h("span", { class: "jt-value-big" }, o.big),
          o.text ? h("span", { class: "jt-value-text" }, o.text) : null,
        ),
      ),
    ),
    h("div", { class: "jt-status-line" }, statusLine(ctx, st)),
  );
}
