// Progressive enhancement only: every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  const anon = document.getElementById("anonymous");
  const person = document.getElementById("complainant-fields");
  const origin = document.getElementById("origin");
  const complaint = document.getElementById("complaint-fields");
  const sync = () => {
    if (anon && person) person.hidden = anon.checked;
    if (origin && complaint) complaint.hidden = origin.value !== "complaint";
  };
  anon?.addEventListener("change", sync);
  origin?.addEventListener("change", sync);
  sync();
});
