// The review screen: drag on a page image to add a box (sent as PDF points); click a drawn
// box to remove it. Without this script the proposed boxes can still be kept or dropped.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("review-form");
  if (!form) return;
  // Each sheet takes its page's shape before its image arrives, so boxes (in percent of the
  // sheet) sit where they belong at once and the page does not jump as images load.
  form.querySelectorAll("figure.page").forEach((fig) => {
    const sheet = fig.querySelector(".sheet");
    const w = Number(fig.dataset.width), h = Number(fig.dataset.height);
    if (sheet && w > 0 && h > 0) {
      sheet.style.aspectRatio = `${w} / ${h}`;
      sheet.dataset.ratio = "page";
    }
  });
  // Boxes carry their place as data (the page's CSP allows no style attributes).
  form.querySelectorAll(".redbox[data-box]").forEach((el) => {
    const [left, top, width, height] = el.dataset.box.split(" ");
    Object.assign(el.style, { left: `${left}%`, top: `${top}%`, width: `${width}%`, height: `${height}%` });
  });
  form.querySelectorAll("figure.page").forEach((fig) => {
    let start = null;
    let shape = null;
    // Drawn boxes go on the sheet, whose box is the page image's: percent of the figure would
    // count its caption too.
    const sheet = fig.querySelector(".sheet") || fig;
    const at = (ev) => {
      const r = sheet.getBoundingClientRect();
      return {
        x: Math.min(Math.max((ev.clientX - r.left) / r.width, 0), 1),
        y: Math.min(Math.max((ev.clientY - r.top) / r.height, 0), 1),
      };
    };
    fig.addEventListener("pointerdown", (ev) => {
      if (ev.target.closest(".redbox")) return;
      ev.preventDefault();
      start = at(ev);
      shape = document.createElement("span");
      shape.className = "redbox drawn";
      sheet.appendChild(shape);
      fig.setPointerCapture(ev.pointerId);
    });
    fig.addEventListener("pointermove", (ev) => {
      if (!start) return;
      const p = at(ev);
      Object.assign(shape.style, {
        left: `${Math.min(start.x, p.x) * 100}%`, top: `${Math.min(start.y, p.y) * 100}%`,
        width: `${Math.abs(p.x - start.x) * 100}%`, height: `${Math.abs(p.y - start.y) * 100}%`,
      });
    });
    fig.addEventListener("pointerup", (ev) => {
      if (!start) return;
      const p = at(ev);
      const w = Number(fig.dataset.width), h = Number(fig.dataset.height);
      const x0 = Math.min(start.x, p.x) * w, x1 = Math.max(start.x, p.x) * w;
      const y0 = (1 - Math.max(start.y, p.y)) * h, y1 = (1 - Math.min(start.y, p.y)) * h;
      start = null;
      if (x1 - x0 < 4 || y1 - y0 < 4) { shape.remove(); return; }
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "add";
      input.value = JSON.stringify({ document_id: Number(fig.dataset.item), page: Number(fig.dataset.page), box: [x0, y0, x1, y1] });
      shape.appendChild(input);
      shape.title = "Click to remove";
      shape.addEventListener("click", () => shape.remove());
    });
  });
});
