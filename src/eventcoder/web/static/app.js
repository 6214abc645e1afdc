// Progressive touches only: every page works without this file.
"use strict";

// A click anywhere on an event row opens the event (the type cell is the real link).
document.addEventListener("click", (e) => {
  const row = e.target.closest("tr.event");
  if (!row || e.target.closest("a")) return;
  window.location.href = row.dataset.href;
});

// Leave blank filters (and the defaults of the view options) out of the URL, so shared
// links stay short.
const form = document.getElementById("filters");
if (form) {
  form.addEventListener("submit", () => {
    for (const field of form.elements) {
      const isDefault = (field.name === "shade" && field.value === "count") || (field.name === "trend" && field.value === "month");
      if (field.name && (field.value === "" || isDefault)) field.disabled = true;
    }
  });
}

// The dyad picker goes straight to the chosen pair's page.
const pair = document.getElementById("dyad-pair");
if (pair) {
  pair.addEventListener("change", () => {
    if (pair.value) window.location.href = "/dyad/" + pair.value;
  });
}

// The map zooms (wheel, +/- buttons) and pans (drag) by changing the SVG's viewBox: the
// drawing stays vector-sharp and links keep working.
const map = document.querySelector("#map svg.map");
if (map) {
  const whole = map.viewBox.baseVal;
  const home = [whole.x, whole.y, whole.width, whole.height];
  let view = home.slice();
  const show = () => map.setAttribute("viewBox", view.map((v) => v.toFixed(2)).join(" "));
  const zoom = (factor, cx, cy) => {
    const width = Math.min(home[2], Math.max(home[2] / 16, view[2] * factor));
    const height = width * home[3] / home[2];
    const fx = cx === undefined ? 0.5 : (cx - view[0]) / view[2];
    const fy = cy === undefined ? 0.5 : (cy - view[1]) / view[3];
    const x = (cx === undefined ? view[0] + view[2] / 2 : cx) - fx * width;
    const y = (cy === undefined ? view[1] + view[3] / 2 : cy) - fy * height;
    view = [Math.min(Math.max(x, home[0]), home[0] + home[2] - width), Math.min(Math.max(y, home[1]), home[1] + home[3] - height), width, height];
    show();
  };
  const toMap = (event) => {
    const box = map.getBoundingClientRect();
    return [view[0] + (event.clientX - box.left) / box.width * view[2], view[1] + (event.clientY - box.top) / box.height * view[3]];
  };
  map.addEventListener("wheel", (event) => {
    event.preventDefault();
    const [x, y] = toMap(event);
    zoom(event.deltaY < 0 ? 0.8 : 1.25, x, y);
  }, { passive: false });
  let drag = null;
  let moved = false;
  map.addEventListener("pointerdown", (event) => { drag = [event.clientX, event.clientY, view[0], view[1]]; moved = false; });
  window.addEventListener("pointerup", () => { drag = null; });
  map.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const box = map.getBoundingClientRect();
    const dx = (event.clientX - drag[0]) / box.width * view[2];
    const dy = (event.clientY - drag[1]) / box.height * view[3];
    if (Math.abs(event.clientX - drag[0]) + Math.abs(event.clientY - drag[1]) > 4) moved = true;
    view[0] = Math.min(Math.max(drag[2] - dx, home[0]), home[0] + home[2] - view[2]);
    view[1] = Math.min(Math.max(drag[3] - dy, home[1]), home[1] + home[3] - view[3]);
    show();
  });
  // A drag is not a click on the country under the pointer.
  map.addEventListener("click", (event) => { if (moved) { event.preventDefault(); moved = false; } }, true);
  for (const button of document.querySelectorAll("#map-zoom button")) {
    button.addEventListener("click", () => {
      if (button.dataset.zoom === "in") zoom(0.5);
      else if (button.dataset.zoom === "out") zoom(2);
      else { view = home.slice(); show(); }
    });
  }
}

// Bring the evidence into view on an event page.
const evidence = document.getElementById("evidence");
if (evidence) evidence.scrollIntoView({ block: "center" });
