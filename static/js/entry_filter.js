// Entry page: show only the rows behind schedule (遅れ・未着手) or not yet entered. Rows are
// hidden, not removed: a save still sends every row. Initiatives and 事業 without a shown row
// are hidden with them.
(function () {
  "use strict";
  const form = document.getElementById("entry-form");
  const choices = document.getElementById("row-filter");
  if (!form || !choices) return;

  function shows(row, filter) {
    if (filter === "shortfall") {
      const badge = row.querySelector("[data-status]");
      return Boolean(badge && ["遅れ", "未着手"].includes(badge.dataset.status));
    }
    if (filter === "unentered") return row.dataset.entered !== "1";
    return true;
  }

  function apply() {
    const chosen = choices.querySelector("input:checked");
    const filter = chosen ? chosen.value : "all";
    let shown = 0;
    form.querySelectorAll("tr[data-status-url]").forEach((row) => {
      row.hidden = !shows(row, filter);
      if (!row.hidden) shown += 1;
    });
    form.querySelectorAll(".initiative-rows").forEach((block) => {
      block.hidden = !block.querySelector("tr[data-status-url]:not([hidden])");
    });
    form.querySelectorAll("section[id^='business-']").forEach((section) => {
      section.hidden = !section.querySelector("tr[data-status-url]:not([hidden])");
    });
    const none = document.getElementById("row-filter-none");
    if (none) none.hidden = shown > 0;
  }

  // A row typed into counts as entered from then on.
  form.addEventListener("input", (event) => {
    const row = event.target.closest("tr[data-status-url]");
    if (row) row.dataset.entered = "1";
  });
  choices.addEventListener("change", apply);
  apply();
})();
