// Progressive enhancement only: every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  const intake = document.getElementById("intake-form");
  const anon = intake?.querySelector("input[name=anonymous]");
  const person = document.getElementById("complainant-fields");
  const origin = intake?.querySelector("select[name=origin]");
  const complaint = document.getElementById("complaint-fields");
  const sync = () => {
    if (anon && person) person.hidden = anon.checked;
    if (origin && complaint) {
      // A hidden fieldset is also disabled: its required fields do not stop the form.
      complaint.hidden = origin.value !== "complaint";
      complaint.disabled = complaint.hidden;
      // Required of a complaint only: the page itself leaves them optional (no script, no trap).
      for (const el of complaint.querySelectorAll("[data-complaint-required]")) {
        el.required = !complaint.hidden;
      }
    }
  };
  anon?.addEventListener("change", sync);
  origin?.addEventListener("change", sync);
  sync();

  // Received is now where the case or request is: on every form whose jurisdiction options
  // carry their zone's now (new case, records request), follow the one chosen until typed in.
  for (const form of document.querySelectorAll("form")) {
    const choice = form.querySelector("select[name=jurisdiction]");
    const received = form.querySelector("input[name=received_at]");
    if (!choice || !received || !choice.querySelector("option[data-now]")) continue;
    let typed = false;
    received.addEventListener("input", () => { typed = true; });
    choice.addEventListener("change", () => {
      const now = choice.selectedOptions[0]?.dataset.now;
      if (!typed && now) received.value = now;
    });
  }
  const where = intake?.querySelector("select[name=jurisdiction]");

  // Only the chosen jurisdiction's types of complaint and factors weighed; without script
  // every jurisdiction's are shown, each under its name, and the server reads the chosen one's.
  if (where) {
    const own = () => {
      for (const el of intake.querySelectorAll("optgroup[data-jurisdiction], fieldset[data-jurisdiction]")) {
        el.hidden = el.dataset.jurisdiction !== where.value;
        el.disabled = el.hidden; // a hidden group's option cannot stay chosen or be sent
      }
      const type = intake.querySelector("select[name=complaint_type]");
      if (type?.selectedOptions[0]?.parentElement.disabled) type.value = "";
    };
    where.addEventListener("change", own);
    own();
  }

  // A refused form: the summary of what to fix is read out and focused first.
  document.getElementById("error-summary")?.focus();
});

// A form sent once shows that it is working and ignores a second tap. The server is the
// truth (each form's one-time token: a second send does nothing); this only spares the wait.
const busyWords = (form, button) => {
  if (button?.dataset.busy) return button.dataset.busy;
  const text = (button?.textContent || "").trim().toLowerCase();
  if (/\bissue\b/.test(text)) return "Issuing…";
  if (form.querySelector("input[type=file]")) return "Uploading…";
  return "Working…";
};

document.addEventListener("submit", (event) => {
  const form = event.target;
  // getAttribute: an input named "method" (the service form's) shadows form.method.
  if (!(form instanceof HTMLFormElement)) return;
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
  if (form.dataset.sending) {
    event.preventDefault(); // the first tap's request is already on its way
    return;
  }
  const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
  form.dataset.sending = "yes";
  form.setAttribute("aria-busy", "true");
  if (button) {
    button.dataset.idleLabel = button.textContent;
    // After this turn: a button disabled now would drop its own name=value from what is sent.
    setTimeout(() => {
      button.disabled = true;
      button.textContent = busyWords(form, button);
    }, 0);
  }
});

// Back to a page kept by the browser (back/forward cache): its forms can be used again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-sending]")) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("button[data-idle-label]")) {
      button.textContent = button.dataset.idleLabel;
      button.disabled = false;
      delete button.dataset.idleLabel;
    }
  }
});

// A notice's service form: only the chosen method's fieldset (without JavaScript each
// fieldset says which methods it is for).
for (const form of document.querySelectorAll(".service-form")) {
  const method = form.querySelector("select[name=method]");
  if (!method) continue;
  const show = () => {
    for (const set of form.querySelectorAll("fieldset.by-method")) {
      set.hidden = !set.dataset.methods.split(" ").includes(method.value);
    }
  };
  method.addEventListener("change", show);
  show();
}

// The case page as a workbench: its sections as tabs ("Whole file" first: every section, as
// without script), arrow keys between tabs, and the header's next steps opening their form in
// place. Without script the section list is in-page links and every section shows in order.
const caseWorkbench = () => {
  const list = document.querySelector("#case-sections .tab-list");
  if (!list) return;
  const whole = document.createElement("a");
  whole.href = "#case-panels";
  whole.id = "tab-all";
  whole.className = "tab";
  whole.textContent = "Whole file";
  list.prepend(whole);
  const tabs = [...list.querySelectorAll("a.tab")];
  const panelOf = (tab) => (tab === whole ? null : document.getElementById(tab.hash.slice(1)));
  const panels = tabs.map(panelOf).filter(Boolean);
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-label", "Sections of the case");
  for (const tab of tabs) {
    tab.setAttribute("role", "tab");
    const panel = panelOf(tab);
    tab.setAttribute("aria-controls", panel ? panel.id : panels.map((p) => p.id).join(" "));
    if (panel) {
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
    }
  }
  // The tab last chosen on this case, so a form's redirect back to its section (#violations)
  // lands in that tab; a visit without a section named starts from the whole file.
  const key = `case-tab:${location.pathname}`;
  const remember = (id) => {
    try { sessionStorage.setItem(key, id); } catch { /* private mode: not kept */ }
  };
  const chosen = () => {
    try { return sessionStorage.getItem(key); } catch { return null; }
  };
  const select = (tab, { focus = false, keep = true } = {}) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
    }
    const only = panelOf(tab);
    for (const p of panels) p.hidden = only !== null && p !== only;
    if (keep) remember(tab.id);
    if (focus) tab.focus();
  };
  const tabHolding = (el) => {
    const panel = panels.find((p) => p.contains(el));
    return panel ? tabs.find((t) => panelOf(t) === panel) : null;
  };
  const shown = (el) => !panels.some((p) => p.hidden && p.contains(el));

  const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  const holding = target ? tabHolding(target) : null;
  if (holding && chosen() && chosen() !== whole.id) {
    select(holding);
    target.scrollIntoView();
  } else {
    select(whole, { keep: false });
  }

  list.addEventListener("click", (event) => {
    const tab = event.target.closest("a.tab");
    if (!tab) return;
    event.preventDefault();
    select(tab);
    history.replaceState(null, "", tab === whole ? location.pathname + location.search : tab.hash);
  });
  list.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    select(next, { focus: true });
    history.replaceState(null, "", next === whole ? location.pathname + location.search : next.hash);
  });
  // A link within the page to a section in a hidden tab (#doc-3): show its tab.
  window.addEventListener("hashchange", () => {
    const el = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (el && !shown(el)) {
      select(tabHolding(el) || whole);
      el.scrollIntoView();
    }
  });

  // A next step's button: its form opens in place, its first field focused.
  for (const button of document.querySelectorAll("#next-actions a[data-opens]")) {
    button.addEventListener("click", (event) => {
      const form = document.getElementById(button.dataset.opens);
      if (!form) return; // not on this page: the link goes to its section
      event.preventDefault();
      if (!shown(form)) select(tabHolding(form) || whole);
      const details = form.closest("details");
      if (details) details.open = true;
      const first = [...form.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
        .find((el) => !el.disabled && el.getClientRects().length > 0);
      form.scrollIntoView({ block: "start" });
      first?.focus({ preventScroll: true });
    });
  }
};
caseWorkbench();
