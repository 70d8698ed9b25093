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

  // A refused form: the summary of what to fix is read out and focused first.
  document.getElementById("error-summary")?.focus();
});
