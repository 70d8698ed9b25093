// The request's page: "Copy link" puts the release's public link on the clipboard and says so.
// Without this script the button stays hidden and the link's text is there to select.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    const done = document.getElementById("copy-done");
    if (!source || !navigator.clipboard) return; // no clipboard (an http page): select by hand
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        if (done) done.textContent = "Copied";
      } catch {
        // Refused by the browser: select the text for the clerk to copy by hand.
        const range = document.createRange();
        range.selectNodeContents(source);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        if (done) done.textContent = "Could not copy: the link is selected, copy it by hand";
      }
    });
  });
});
