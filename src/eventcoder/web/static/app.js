// Progressive touches only: every page works without this file.
"use strict";

// A click anywhere on an event row opens the event (the type cell is the real link).
document.addEventListener("click", (e) => {
  const row = e.target.closest("tr.event");
  if (!row || e.target.closest("a")) return;
  window.location.href = row.dataset.href;
});

// Leave blank filters out of the URL, so shared links stay short.
const form = document.getElementById("filters");
if (form) {
  form.addEventListener("submit", () => {
    for (const field of form.elements) {
      if (field.name && field.value === "") field.disabled = true;
    }
  });
}

// Bring the evidence into view on an event page.
const evidence = document.getElementById("evidence");
if (evidence) evidence.scrollIntoView({ block: "center" });
