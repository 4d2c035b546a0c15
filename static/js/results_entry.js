// Entry page: ask the server for a row's status while it is typed (the status rule lives in
// Python, results.progress.item_progress), show the 中止 reason and what the chosen 中止
// does only when one is chosen, flag shortfalls without 理由・今後の対応 (the red hint
// only while the reason is empty), and warn before leaving with unsaved input.
(function () {
  "use strict";
  const form = document.getElementById("entry-form");
  if (!form || !form.dataset.editable) return;
  const timers = new Map();
  let dirty = false;

  function rowOf(element) {
    return element.closest("tr[data-status-url]");
  }

  // Only the inputs that can change the status are sent: numbers, 実施, 中止.
  function statusParams(row) {
    const params = new URLSearchParams();
    row.querySelectorAll("input").forEach((input) => {
      if (!input.name || input.disabled) return;
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) return;
      params.append(input.name, input.value);
    });
    return params;
  }

  function markReason(row) {
    const status = row.querySelector("[data-shortfall]");
    const reason = row.querySelector("textarea[name$='-reason']");
    if (!status || !reason) return;
    const missing = status.dataset.shortfall === "1" && reason.value.trim() === "";
    reason.classList.toggle("is-invalid", missing);
    row.classList.toggle("needs-reason", missing);
    const hint = row.querySelector(".reason-hint");
    if (hint) hint.hidden = !missing;
  }

  function showCancelReason(row) {
    const chosen = row.querySelector("input[type=radio][name$='-cancelled']:checked");
    const reason = row.querySelector(".cancel-reason");
    if (!reason) return;
    const cancelled = Boolean(chosen && chosen.value);
    reason.hidden = !cancelled;
    const input = reason.querySelector("input");
    if (input) input.placeholder = cancelled ? "中止の理由（必須）" : "";
    const effect = row.querySelector(".cancel-effect");
    const label = chosen ? row.querySelector("label[for='" + chosen.id + "']") : null;
    if (effect) effect.textContent = label ? label.dataset.effect || "" : "";
  }

  function refresh(row) {
    const target = row.querySelector("[data-role=status]");
    const url = row.dataset.statusUrl + "?" + statusParams(row).toString();
    target.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        target.innerHTML = html;
        markReason(row);
      })
      .catch(() => {
        target.textContent = "状況を更新できませんでした。";
      })
      .finally(() => target.removeAttribute("aria-busy"));
  }

  function schedule(row) {
    clearTimeout(timers.get(row));
    timers.set(row, setTimeout(() => refresh(row), 300));
  }

  function isChoice(element) {
    return element.type === "checkbox" || element.type === "radio";
  }

  // Text is followed on "input"; boxes and radios on "change" (text inputs also fire
  // "change" when they lose focus, which would ask again for nothing).
  function onEdit(event) {
    const element = event.target;
    const row = rowOf(element);
    if (!row || (event.type === "change") !== isChoice(element)) return;
    dirty = true;
    if (element.name && element.name.endsWith("-cancelled")) showCancelReason(row);
    if (element.tagName === "TEXTAREA") {
      markReason(row);
      return;
    }
    schedule(row);
  }

  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);
  form.addEventListener("submit", () => {
    dirty = false;
    timers.forEach((timer) => clearTimeout(timer));
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
  form.querySelectorAll("tr[data-status-url]").forEach((row) => {
    showCancelReason(row);
    markReason(row);
  });
})();
