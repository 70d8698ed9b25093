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

  // Received is now where the case is: follow the jurisdiction chosen until it is typed in.
  const where = intake?.querySelector("select[name=jurisdiction]");
  const received = intake?.querySelector("input[name=received_at]");
  if (where && received) {
    let typed = false;
    received.addEventListener("input", () => { typed = true; });
    where.addEventListener("change", () => {
      const now = where.selectedOptions[0]?.dataset.now;
      if (!typed && now) received.value = now;
    });
  }

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
