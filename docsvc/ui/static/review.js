// The review screen. Every box is a checkbox in the page's tab order: Tab moves from box to
// box, Space keeps or drops one, and each says which box it is ("Box 2 of 3 on page 1 ...")
// and whether it is kept (its checked state). A box is added by dragging on a page image, or
// without dragging (WCAG 2.5.7) by tapping one corner and then the opposite one; an added box is
// a ticked checkbox too, so Space or a tap drops it. Without this script the proposed boxes can
// still be kept or dropped.
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
  // A box's name says which one it is, where, and what it hides: the same words for every box
  // ("Keep this box") would leave a screen-reader user unable to tell them apart.
  const name = (fig) => {
    const boxes = fig.querySelectorAll(".redbox input[type=checkbox]");
    const record = fig.closest("section")?.querySelector("h2")?.textContent.trim() || "the record";
    boxes.forEach((input, i) => {
      const what = input.closest(".redbox").dataset.what || input.closest(".redbox").title || "added by you";
      input.setAttribute(
        "aria-label",
        `Keep box ${i + 1} of ${boxes.length} on page ${fig.dataset.page} of ${record} (${what.toLowerCase()})`,
      );
    });
  };
  form.querySelectorAll("figure.page").forEach(name);

  form.querySelectorAll("figure.page").forEach((fig) => {
    let start = null;
    let shape = null;
    let corner = null; // the first corner tapped, waiting for the second
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
    const place = (el, a, b) => Object.assign(el.style, {
      left: `${Math.min(a.x, b.x) * 100}%`, top: `${Math.min(a.y, b.y) * 100}%`,
      width: `${Math.abs(b.x - a.x) * 100}%`, height: `${Math.abs(b.y - a.y) * 100}%`,
    });
    // An added box: a label holding a ticked checkbox whose value is the box in PDF points.
    const add = (a, b) => {
      const w = Number(fig.dataset.width), h = Number(fig.dataset.height);
      const x0 = Math.min(a.x, b.x) * w, x1 = Math.max(a.x, b.x) * w;
      const y0 = (1 - Math.max(a.y, b.y)) * h, y1 = (1 - Math.min(a.y, b.y)) * h;
      if (x1 - x0 < 4 || y1 - y0 < 4) return false;
      const box = document.createElement("label");
      box.className = "redbox drawn";
      box.dataset.what = "added by you";
      box.title = "Added by you: untick to drop it";
      place(box, a, b);
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = "add";
      input.checked = true;
      input.value = JSON.stringify({ document_id: Number(fig.dataset.item), page: Number(fig.dataset.page), box: [x0, y0, x1, y1] });
      // Unticked, an added box has nothing to keep: it goes (focus stays on the page).
      input.addEventListener("change", () => {
        if (input.checked) return;
        box.remove();
        name(fig);
        fig.focus();
      });
      box.appendChild(input);
      sheet.appendChild(box);
      name(fig);
      return true;
    };
    if (!fig.hasAttribute("tabindex")) fig.tabIndex = -1; // where focus goes when a box is dropped
    fig.addEventListener("pointerdown", (ev) => {
      if (ev.target.closest(".redbox")) return;
      ev.preventDefault();
      start = at(ev);
      shape = document.createElement("span");
      shape.className = "redbox drawing";
      shape.setAttribute("aria-hidden", "true");
      sheet.appendChild(shape);
      fig.setPointerCapture(ev.pointerId);
    });
    fig.addEventListener("pointermove", (ev) => {
      if (start) place(shape, start, at(ev));
    });
    fig.addEventListener("pointerup", (ev) => {
      if (!start) return;
      const p = at(ev);
      const from = start;
      start = null;
      shape.remove();
      if (add(from, p)) {
        corner?.mark.remove();
        corner = null;
        return;
      }
      // A tap, not a drag: the first corner, or the opposite one of a box begun by a tap.
      if (corner) {
        const first = corner;
        corner = null;
        first.mark.remove();
        add(first.at, p);
      } else {
        const mark = document.createElement("span");
        mark.className = "corner-mark";
        mark.setAttribute("aria-hidden", "true");
        Object.assign(mark.style, { left: `${p.x * 100}%`, top: `${p.y * 100}%` });
        sheet.appendChild(mark);
        corner = { at: p, mark };
      }
    });
  });
});
