// Search as you type: progressive enhancement of the plain search form (which, without
// JavaScript, submits to the server-rendered /find page). Debounced; stale requests are
// aborted; results are built with DOM methods, never innerHTML, so labels stay text.
(function () {
  "use strict";

  const form = document.querySelector("form[data-live-search]");
  if (!form || !window.fetch) return;
  const input = form.querySelector("input[name=q]");
  const list = document.getElementById(form.dataset.results);
  const status = document.getElementById(form.dataset.status);
  const DELAY = 200;
  const K = 8;
  const WHY = [["label", "Name"], ["bm25", "Words"], ["dense", "Meaning"]];
  let timer = null;
  let controller = null;
  let shown = input.value.trim(); // the query whose results are on the page

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function snippet(text, limit) {
    if (!text || text.length <= limit) return text || "";
    const cut = text.slice(0, limit);
    return cut.slice(0, cut.lastIndexOf(" ")).replace(/[,;:]$/, "") + "…";
  }

  // Why a hit matched, in words (api/pages.py `why` says the same on the server).
  function why(evidence, query) {
    const words = (query.toLowerCase().match(/[\p{L}\p{N}_]+/gu)) || [];
    const out = [];
    for (const [key, name] of WHY) {
      let text = evidence && evidence[key];
      if (!text) continue;
      if (key === "bm25") {
        text = text.replace(/^words: /, "").split(", ")
          .map((stem) => words.find((w) => w.startsWith(stem)) || stem).join(", ");
      } else if (key === "dense") {
        text = "close to the " + text;
      }
      out.push([name, text]);
    }
    return out;
  }

  function hit(result, query) {
    const li = el("li", "hit");
    const link = el("a", "hit-label", result.pref_label);
    link.href = "/c/" + encodeURIComponent(result.id);
    li.append(link);
    if (result.alt_labels && result.alt_labels.length) {
      const aliases = el("p", "hit-aliases");
      aliases.append(el("span", "visually-hidden", "Also called: "), result.alt_labels.join(" · "));
      li.append(aliases);
    }
    if (result.definition) li.append(el("p", "hit-def", snippet(result.definition, 220)));
    const reasons = why(result.evidence, query);
    if (reasons.length) {
      const ul = el("ul", "why");
      ul.setAttribute("aria-label", "Why it matched");
      if (result.explanation) ul.title = result.explanation;
      for (const [kind, text] of reasons) {
        const item = el("li");
        item.append(el("span", "why-kind", kind), " " + text);
        ul.append(item);
      }
      li.append(ul);
    }
    return li;
  }

  // The server's answer (on /find) answers the query it was asked; another query hides it.
  const answer = document.getElementById("answer");

  function show(results, query, close) {
    if (answer) answer.hidden = query !== answer.dataset.query;
    list.replaceChildren(...results.map((r) => hit(r, query)));
    const n = results.length;
    if (!n) status.textContent = `Nothing matched “${query}”. Try other words.`;
    else if (!close)
      status.textContent = `No concept is a close match for “${query}”; the ${n} nearest, closest first`;
    else status.textContent = n === 1 ? `The best match for “${query}”` : `The ${n} best matches for “${query}”, best first`;
    shown = query;
  }

  function clear() {
    if (answer) answer.hidden = true;
    list.replaceChildren();
    status.textContent = "";
    shown = "";
  }

  async function run() {
    const query = input.value.trim().slice(0, 512);
    if (query === shown) return;
    if (controller) controller.abort();
    if (query.length < 2) {
      clear();
      remember("");
      return;
    }
    controller = new AbortController();
    form.setAttribute("aria-busy", "true");
    try {
      const url = `/search?k=${K}&q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { signal: controller.signal });
      if (response.status === 400 || response.status === 422) {
        const body = await response.json().catch(() => ({}));  // the server says what is wrong
        if (answer) answer.hidden = true;
        list.replaceChildren();
        status.textContent = typeof body.detail === "string" ? body.detail : "That query cannot be searched.";
        shown = query;
        return;
      }
      if (!response.ok) throw new Error(`search answered ${response.status}`);
      const data = await response.json();
      show(data.results, query, data.close);
      remember(query);
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = "Search is unavailable just now.";
    } finally {
      form.removeAttribute("aria-busy");
    }
  }

  // On /find the address follows the query, so reloading or sharing shows the same results.
  function remember(query) {
    if (!("updateUrl" in form.dataset)) return;
    const url = query ? `${location.pathname}?q=${encodeURIComponent(query)}` : location.pathname;
    history.replaceState(null, "", url);
  }

  function links() {
    return Array.from(list.querySelectorAll("a.hit-label"));
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, DELAY);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      links()[0].focus();
    } else if (event.key === "Escape" && input.value) {
      input.value = "";
      clear();
      remember("");
    }
  });

  list.addEventListener("keydown", (event) => {
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    let next = null;
    if (event.key === "ArrowDown") next = all[Math.min(at + 1, all.length - 1)];
    else if (event.key === "ArrowUp") next = at === 0 ? input : all[at - 1];
    else if (event.key === "Home") next = all[0];
    else if (event.key === "End") next = all[all.length - 1];
    else if (event.key === "Escape") next = input;
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  // Coming back (history), the address holds the query even when the box lost it.
  const remembered = new URLSearchParams(location.search).get("q");
  if (remembered && !input.value.trim()) input.value = remembered.slice(0, 512);

  // Coming back (history), the browser may restore the typed text without the results.
  window.addEventListener("pageshow", () => {
    if (input.value.trim() && !list.children.length) {
      shown = "";
      run();
    }
  });
})();
