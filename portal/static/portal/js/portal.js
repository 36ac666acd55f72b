/*
 * Progressive enhancement for every page; the portal works without it.
 * 1. Suggestions for search boxes marked data-suggest="<url>" (titles the visitor may see,
 *    from /api/search/suggest/), offered through the box's <datalist>.
 * 2. Long facet lists (library filters, search facets) show their first items and a button
 *    to show the rest; chosen values always stay visible.
 * 3. On small screens the filter sidebar folds behind one button, so results come first.
 */
(function () {
  "use strict";

  var SHOWN = 6;
  var COLLAPSE_OVER = 8;

  function enhanceSuggestions(input) {
    var list = input.list;
    var url = input.getAttribute("data-suggest");
    if (!list || !url || !window.fetch) { return; }
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var query = input.value.trim();
        if (query.length < 2 || query === last) { return; }
        last = query;
        fetch(url + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: {"Accept": "application/json"}
        })
          .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
          .then(function (data) {
            var options = (data.suggestions || []).slice(0, 8).map(function (title) {
              var option = document.createElement("option");
              option.value = title;
              return option;
            });
            list.replaceChildren.apply(list, options);
          })
          .catch(function () { /* suggestions are a convenience: the form still works */ });
      }, 200);
    });
  }

  function facetItems(container) {
    if (container.tagName === "UL" || container.tagName === "OL") {
      return Array.prototype.slice.call(container.children);
    }
    return Array.prototype.slice.call(container.querySelectorAll(":scope > label"));
  }

  function isChosen(item) {
    return Boolean(item.querySelector("input:checked, [aria-current]"));
  }

  function collapseFacet(container, labels) {
    var items = facetItems(container);
    if (items.length <= COLLAPSE_OVER) { return; }
    var extra = items.slice(SHOWN).filter(function (item) { return !isChosen(item); });
    if (!extra.length) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button facet-toggle";
    button.setAttribute("aria-expanded", "false");
    function show(expanded) {
      extra.forEach(function (item) {
        item.hidden = !expanded;
        var next = item.nextElementSibling;
        if (next && next.tagName === "BR") { next.hidden = !expanded; }
      });
      button.setAttribute("aria-expanded", String(expanded));
      button.textContent = expanded
        ? labels.fewer
        : labels.all.replace("%(count)s", String(items.length));
    }
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    container.insertAdjacentElement("afterend", button);
    show(false);
  }

  function foldFilters(aside, labels) {
    if (!window.matchMedia) { return; }
    var narrow = window.matchMedia("(max-width: 55.99rem)");
    var parts = Array.prototype.slice.call(aside.children);
    var chosen = aside.querySelectorAll("input:checked, [aria-current]").length;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary filters-toggle";
    button.textContent = chosen ? labels.filtersChosen.replace("%(count)s", String(chosen)) : labels.filters;
    aside.insertBefore(button, aside.firstChild);
    function show(expanded) {
      parts.forEach(function (part) { part.hidden = !expanded; });
      button.setAttribute("aria-expanded", String(expanded));
    }
    function fit() {
      button.hidden = !narrow.matches;
      show(!narrow.matches);
    }
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
    fit();
  }

  function start() {
    var root = document.documentElement;
    var labels = {
      all: root.getAttribute("data-label-show-all") || "Show all %(count)s",
      fewer: root.getAttribute("data-label-show-fewer") || "Show fewer",
      filters: root.getAttribute("data-label-filters") || "Filters",
      filtersChosen: root.getAttribute("data-label-filters-chosen") || "Filters (%(count)s chosen)"
    };
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), enhanceSuggestions);
    Array.prototype.forEach.call(
      document.querySelectorAll(".facet > ul, .search-facets fieldset, .facets fieldset"),
      function (container) { collapseFacet(container, labels); }
    );
    Array.prototype.forEach.call(
      document.querySelectorAll(".library-filters, .search-facets, .facets"),
      function (aside) { foldFilters(aside, labels); }
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
