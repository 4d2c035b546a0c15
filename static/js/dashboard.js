// Dashboard: a business's rows are fetched when its summary is opened, so the page
// itself stays the size of its 課・係・事業 (a large council has thousands of rows).
// Without scripts the link in each summary opens the same rows as a page.
(function () {
  "use strict";

  function load(details) {
    const slot = details.querySelector("[data-rows-url]");
    if (!slot || slot.dataset.loaded) return;
    slot.dataset.loaded = "1";
    slot.setAttribute("aria-busy", "true");
    fetch(slot.dataset.rowsUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        slot.innerHTML = html;
      })
      .catch(() => {
        delete slot.dataset.loaded;
        const note = document.createElement("p");
        note.className = "small text-danger";
        note.textContent = "行の一覧を読み込めませんでした。上のリンクから開いてください。";
        slot.appendChild(note);
      })
      .finally(() => slot.removeAttribute("aria-busy"));
  }

  document.querySelectorAll("details.business-summary").forEach((details) => {
    details.addEventListener("toggle", () => {
      if (details.open) load(details);
    });
    if (details.open) load(details);
  });
})();
