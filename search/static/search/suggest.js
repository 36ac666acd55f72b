// Title completions for the search box, from /api/search/suggest/ (visible titles only).
(function () {
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (input.value.trim().length < 2) { return; }
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(input.value), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.suggestions.map(function (title) {
            var option = document.createElement("option");
            option.value = title;
            return option;
          }));
        });
    }, 200);
  });
})();
