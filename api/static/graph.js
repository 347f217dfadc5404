// The neighbourhood graph on a concept page: an SVG drawn from
// GET /concepts/{id}/neighbors. Layout: rings by distance from the concept (broader
// concepts towards the top, narrower towards the bottom), then label boxes are pushed
// apart until none overlap. Every other node is a link, so a click, or Tab then Enter,
// moves to that concept. Without JavaScript the page's relation lists say the same.
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const figure = document.querySelector("figure[data-graph]");
  if (!figure || !window.fetch) return;
  const center = figure.dataset.concept;
  const canvas = figure.querySelector(".graph-canvas");
  const controls = figure.querySelector(".graph-controls");
  const legend = figure.querySelector(".graph-legend");
  const FONT = 13; // px, as in style.css
  const CHAR = 0.56 * FONT; // a fair average glyph width for system sans fonts
  let data = null;
  let drawnWidth = 0;

  function node(tag, attrs, text) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function shorten(label, max) {
    return label.length <= max ? label : label.slice(0, max - 1).trimEnd() + "…";
  }

  // How each node stands to the centre: "center", "broader", "narrower", "related", "far".
  function roles(graph) {
    const role = { [center]: "center" };
    for (const e of graph.edges) {
      const other = e.source === center ? e.target : e.target === center ? e.source : null;
      if (!other) continue;
      let kind = e.relation;
      if (kind !== "related" && e.target === center) {
        kind = kind === "broader" ? "narrower" : "broader";
      }
      role[other] = kind === "broader" || kind === "narrower" ? kind : "related";
      if (!role[other + "#reason"]) role[other + "#reason"] = e.reason || "";
    }
    for (const n of graph.nodes) if (!role[n.id]) role[n.id] = "far";
    return role;
  }

  function distances(graph) {
    const adjacent = new Map(graph.nodes.map((n) => [n.id, []]));
    for (const e of graph.edges) {
      if (adjacent.has(e.source) && adjacent.has(e.target)) {
        adjacent.get(e.source).push(e.target);
        adjacent.get(e.target).push(e.source);
      }
    }
    const dist = new Map([[center, 0]]);
    const parent = new Map();
    const queue = [center];
    while (queue.length) {
      const at = queue.shift();
      for (const next of adjacent.get(at) || []) {
        if (!dist.has(next)) {
          dist.set(next, dist.get(at) + 1);
          parent.set(next, at);
          queue.push(next);
        }
      }
    }
    return { dist, parent };
  }

  function layout(graph, width, height, maxChars) {
    const role = roles(graph);
    const { dist, parent } = distances(graph);
    const cx = width / 2;
    const cy = height / 2;
    const deepest = Math.max(1, ...Array.from(dist.values()));
    const items = graph.nodes.map((n) => {
      const text = shorten(n.pref_label, maxChars);
      return {
        id: n.id,
        label: n.pref_label,
        text,
        role: role[n.id],
        reason: role[n.id + "#reason"] || "",
        depth: dist.has(n.id) ? dist.get(n.id) : deepest,
        r: n.id === center ? 11 : 7,
        w: text.length * CHAR + 8,
        x: cx,
        y: cy,
        angle: 0,
      };
    });
    const byId = new Map(items.map((i) => [i.id, i]));

    // First ring: broader on top, narrower at the bottom, related on the sides.
    const order = { broader: 0, related: 1, narrower: 2, far: 3 };
    const ring1 = items.filter((i) => i.depth === 1);
    ring1.sort((a, b) => order[a.role] - order[b.role] || a.label.localeCompare(b.label));
    const related = ring1.filter((i) => i.role === "related");
    const half = Math.ceil(related.length / 2);
    const around = [
      ...ring1.filter((i) => i.role === "broader"),
      ...related.slice(0, half),
      ...ring1.filter((i) => i.role === "narrower" || i.role === "far"),
      ...related.slice(half).reverse(),
    ];
    const nb = ring1.filter((i) => i.role === "broader").length;
    const step = (2 * Math.PI) / Math.max(1, around.length);
    const start = -Math.PI / 2 - (nb > 0 ? ((nb - 1) * step) / 2 : 0);
    around.forEach((item, k) => (item.angle = start + k * step));

    // Outer rings: near the concept that leads to them, spread among siblings.
    for (let d = 2; d <= deepest; d++) {
      const ring = items.filter((i) => i.depth === d);
      const groups = new Map();
      for (const item of ring) {
        const p = parent.get(item.id) || center;
        if (!groups.has(p)) groups.set(p, []);
        groups.get(p).push(item);
      }
      const slice = (2 * Math.PI) / Math.max(ring.length, 1);
      for (const [p, kids] of groups) {
        const base = byId.has(p) ? byId.get(p).angle : 0;
        kids.forEach((kid, k) => (kid.angle = base + (k - (kids.length - 1) / 2) * slice));
      }
    }

    const rx = width / 2 - 24;
    const ry = height / 2 - 26;
    for (const item of items) {
      if (item.id === center) continue;
      const f = deepest === 1 ? 0.78 : 0.42 + (0.58 * (item.depth - 1)) / (deepest - 1);
      item.x = cx + rx * f * Math.cos(item.angle);
      item.y = cy + ry * f * Math.sin(item.angle);
    }
    separate(items, width, height);
    return items;
  }

  // A node's box: its circle with the label centred under it.
  function box(i) {
    const w = Math.max(i.w, 2 * i.r);
    return { left: i.x - w / 2, right: i.x + w / 2, top: i.y - i.r, bottom: i.y + i.r + FONT + 6 };
  }

  function clamp(i, width, height) {
    const half = Math.max(i.w, 2 * i.r) / 2;
    i.x = Math.min(Math.max(i.x, half + 2), width - half - 2);
    i.y = Math.min(Math.max(i.y, i.r + 2), height - i.r - FONT - 8);
  }

  // Push overlapping boxes apart along the axis where they overlap least.
  function separate(items, width, height) {
    const gap = 4;
    for (let pass = 0; pass < 200; pass++) {
      let moved = false;
      for (let a = 0; a < items.length; a++) {
        for (let b = a + 1; b < items.length; b++) {
          const p = items[a];
          const q = items[b];
          const A = box(p);
          const B = box(q);
          const ox = Math.min(A.right, B.right) - Math.max(A.left, B.left) + gap;
          const oy = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top) + gap;
          if (ox <= 0 || oy <= 0) continue;
          moved = true;
          const pFixed = p.id === center;
          const qFixed = q.id === center;
          const share = pFixed || qFixed ? 1 : 0.5;
          if (oy < ox) {
            const dir = p.y < q.y || (p.y === q.y && a < b) ? -1 : 1;
            if (!pFixed) p.y += dir * oy * share;
            if (!qFixed) q.y -= dir * oy * share;
          } else {
            const dir = p.x < q.x || (p.x === q.x && a < b) ? -1 : 1;
            if (!pFixed) p.x += dir * ox * share;
            if (!qFixed) q.x -= dir * ox * share;
          }
        }
      }
      for (const i of items) if (i.id !== center) clamp(i, width, height);
      if (!moved) return true;
    }
    return false;
  }

  function overlaps(items) {
    for (let a = 0; a < items.length; a++) {
      for (let b = a + 1; b < items.length; b++) {
        const A = box(items[a]);
        const B = box(items[b]);
        if (A.left < B.right && B.left < A.right && A.top < B.bottom && B.top < A.bottom) {
          return true;
        }
      }
    }
    return false;
  }

  function draw(graph) {
    const width = Math.max(280, Math.round(canvas.clientWidth || 600));
    const narrow = width < 520;
    const maxChars = narrow ? 16 : 24;
    const perNode = narrow ? 34 : 26;
    let height = Math.max(narrow ? 280 : 300, Math.min(900, graph.nodes.length * perNode));
    let items = layout(graph, width, height, maxChars);
    for (let tries = 0; tries < 4 && overlaps(items); tries++) {
      height = Math.round(height * 1.2);
      items = layout(graph, width, height, maxChars);
    }
    const byId = new Map(items.map((i) => [i.id, i]));
    const focus = byId.get(center);
    const svg = node("svg", {
      class: "graph-svg",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "group",
      "aria-label": `${items.length - 1} concepts around ${focus ? focus.label : center}`,
    });
    const defs = node("defs");
    const marker = node("marker", {
      id: "arrow",
      viewBox: "0 0 10 10",
      refX: 10,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: "auto-start-reverse",
    });
    marker.append(node("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }));
    defs.append(marker);
    svg.append(defs);

    const edgeLayer = node("g", { class: "edges", "aria-hidden": "true" });
    const edgesOf = new Map();
    for (const e of graph.edges) {
      const s = byId.get(e.source);
      const t = byId.get(e.target);
      if (!s || !t) continue;
      const dx = t.x - s.x;
      const dy = t.y - s.y;
      const len = Math.hypot(dx, dy) || 1;
      const kind = e.relation === "related" ? "related" : "broader";
      // a "narrower" edge points the other way: the arrow always ends at the broader one
      const [from, to] = e.relation === "narrower" ? [t, s] : [s, t];
      const sign = from === s ? 1 : -1;
      const line = node("line", {
        x1: from.x + (sign * dx * from.r) / len,
        y1: from.y + (sign * dy * from.r) / len,
        x2: to.x - (sign * dx * (to.r + 2)) / len,
        y2: to.y - (sign * dy * (to.r + 2)) / len,
        class: `edge edge-${kind}${e.curated ? " edge-curated" : ""}${
          s.depth > 1 && t.depth > 1 ? " edge-outer" : ""
        }`,
      });
      if (kind === "broader") line.setAttribute("marker-end", "url(#arrow)");
      line.append(node("title", {}, e.reason || e.relation));
      edgeLayer.append(line);
      for (const end of [e.source, e.target]) {
        if (!edgesOf.has(end)) edgesOf.set(end, []);
        edgesOf.get(end).push(line);
      }
    }
    svg.append(edgeLayer);

    const nodeLayer = node("g", { class: "nodes" });
    const ordered = items.slice().sort((a, b) => a.depth - b.depth || a.angle - b.angle);
    for (const item of ordered) {
      const isCenter = item.id === center;
      const group = isCenter
        ? node("g", { class: "node node-center" })
        : node("a", {
            href: "/c/" + encodeURIComponent(item.id),
            class: `node node-${item.role}`,
            "data-id": item.id,
            "aria-label": `${item.label} (${item.role === "far" ? "two steps away" : item.role})`,
          });
      group.append(node("circle", { cx: item.x, cy: item.y, r: item.r }));
      group.append(
        node("text", { x: item.x, y: item.y + item.r + FONT + 1, "text-anchor": "middle" }, item.text)
      );
      const tip = item.reason ? `${item.label}: ${item.reason}` : item.label;
      group.append(node("title", {}, tip));
      const light = (on) => (edgesOf.get(item.id) || []).forEach((l) => l.classList.toggle("lit", on));
      for (const [ev, on] of [["mouseenter", true], ["mouseleave", false], ["focus", true], ["blur", false]]) {
        group.addEventListener(ev, () => light(on));
      }
      nodeLayer.append(group);
    }
    svg.append(nodeLayer);
    canvas.replaceChildren(svg);
    drawnWidth = width;
  }

  async function load(depth) {
    canvas.setAttribute("aria-busy", "true");
    try {
      const url = `/concepts/${encodeURIComponent(center)}/neighbors?depth=${depth}`;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`neighbors answered ${response.status}`);
      data = await response.json();
      if (data.nodes.length <= 1) {
        canvas.replaceChildren(Object.assign(document.createElement("p"), {
          className: "muted",
          textContent: "No neighbours to draw.",
        }));
        return;
      }
      draw(data);
      legend.hidden = false;
    } catch (error) {
      canvas.textContent = "The graph could not be loaded.";
    } finally {
      canvas.removeAttribute("aria-busy");
    }
  }

  controls.hidden = false;
  for (const button of controls.querySelectorAll("button[data-depth]")) {
    button.addEventListener("click", () => {
      for (const b of controls.querySelectorAll("button")) {
        b.setAttribute("aria-pressed", String(b === button));
      }
      load(Number(button.dataset.depth));
    });
  }

  let resizeTimer = null;
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (data && Math.abs(canvas.clientWidth - drawnWidth) > 30) draw(data);
      }, 150);
    }).observe(canvas);
  }

  load(1);
})();
