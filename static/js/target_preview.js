// Re-parse the 目標値 as it is typed: a small fetch round trip to the server's parser.
(function () {
  const form = document.getElementById("item-form");
  const preview = document.getElementById("target-preview");
  if (!form || !preview) return;
  const target = form.querySelector("[name=target_text]");
  const detail = form.querySelector("[name=detail]");
  let timer = null;
  function refresh() {
    const params = new URLSearchParams({ target: target.value, detail: detail.value });
    fetch(form.dataset.previewUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => { preview.innerHTML = html; })
      .catch(() => { preview.textContent = "解釈を表示できませんでした。"; });
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  target.addEventListener("input", schedule);
  detail.addEventListener("input", schedule);
})();
