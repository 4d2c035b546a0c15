// 帳票: polls a book job's status, moves the progress bar, and shows the result when done.
(function () {
  "use strict";
  var box = document.getElementById("book-job");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  var bar = document.getElementById("book-job-progress");
  var state = document.getElementById("book-job-state");
  var message = document.getElementById("book-job-message");
  var url = box.dataset.statusUrl;

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (bar) {
          bar.value = data.progress;
          bar.textContent = data.progress + "%";
        }
        state.textContent = data.state_label;
        message.textContent = data.message;
        if (data.finished) {
          // The page shows the download link or every problem of a refused import.
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 500);
})();
