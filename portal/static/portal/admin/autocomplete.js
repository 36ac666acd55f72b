/*
 * The admin's autocomplete (portal/admin_choosers.py): a hidden select holds what is chosen, and
 * is what the form submits; the search box asks the source as the editor types and adds what
 * they pick. A Stimulus controller, so that rows added to an inline panel work as they appear.
 *
 * The server renders the select and the search box only: the list of what is chosen (read from
 * the select), the list of results and the status line are made here, and the texts they show
 * come once per page (the "portal-autocomplete-texts" element, see portal/wagtail_hooks.py), so
 * that an editor with many rows does not carry them once per row.
 */
(() => {
  const { Controller } = window.StimulusModule;

  const DEFAULT_TEXTS = {
    remove: 'Remove',
    nothing: 'Nothing found',
    failed: 'The search failed; try again.',
  };
  let pageTexts;

  function texts() {
    if (!pageTexts) {
      const element = document.getElementById('portal-autocomplete-texts');
      pageTexts = { ...DEFAULT_TEXTS, ...(element ? JSON.parse(element.textContent) : {}) };
    }
    return pageTexts;
  }

  function part(tag, target, className) {
    const element = document.createElement(tag);
    element.dataset.portalAutocompleteTarget = target;
    element.className = className;
    return element;
  }

  class AutocompleteController extends Controller {
    static targets = ['chosen', 'results', 'status'];

    static values = { url: String };

    /** The select the form submits: what is chosen. */
    get selectElement() {
      return this.element.querySelector('select');
    }

    /** The box the editor types into. */
    get searchBox() {
      return this.element.querySelector('input');
    }

    connect() {
      this.asked = 0;
      this.active = -1;
      this.texts = texts();
      // Connected again when a row moves: its parts are already there.
      if (!this.hasChosenTarget) {
        const chosen = part('ul', 'chosen', 'portal-autocomplete__chosen');
        chosen.append(
          ...Array.from(this.selectElement.options, (option) =>
            this.chosenItem(option.value, option.text),
          ),
        );
        this.selectElement.after(chosen);
      }
      if (!this.hasResultsTarget) {
        const results = part('ul', 'results', 'portal-autocomplete__results');
        results.id = `${this.selectElement.id}-results`;
        results.setAttribute('role', 'listbox');
        results.hidden = true;
        const status = part('p', 'status', 'portal-autocomplete__status w-sr-only');
        status.setAttribute('role', 'status');
        this.element.append(results, status);
      }
      const input = this.searchBox;
      input.setAttribute('aria-autocomplete', 'list');
      input.setAttribute('aria-expanded', String(!this.resultsTarget.hidden));
      input.setAttribute('aria-controls', this.resultsTarget.id);
      input.setAttribute('autocomplete', 'off');
      input.dataset.action = [
        'input->portal-autocomplete#search',
        'keydown->portal-autocomplete#navigate',
        'blur->portal-autocomplete#close',
      ].join(' ');
    }

    disconnect() {
      if (this.pending) this.pending.abort();
    }

    get multiple() {
      return this.selectElement.multiple;
    }

    async search() {
      const query = this.searchBox.value.trim();
      if (this.pending) this.pending.abort();
      this.pending = new AbortController();
      this.asked += 1;
      const ticket = this.asked;
      const url = new URL(this.urlValue, window.location.href);
      url.searchParams.set('q', query);
      let results;
      try {
        const response = await fetch(url, {
          headers: { Accept: 'application/json' },
          credentials: 'same-origin',
          signal: this.pending.signal,
        });
        if (!response.ok) throw new Error(String(response.status));
        results = (await response.json()).results;
      } catch (error) {
        if (error.name === 'AbortError') return;
        this.showMessage(this.texts.failed);
        return;
      }
      // An answer to an older query never replaces the newer one's.
      if (ticket === this.asked) this.show(results);
    }

    show(results) {
      const chosen = new Set(Array.from(this.selectElement.options, (option) => option.value));
      const offered = results.filter((result) => !chosen.has(result.id));
      if (!offered.length) {
        this.showMessage(this.texts.nothing);
        return;
      }
      this.resultsTarget.replaceChildren(
        ...offered.map((result, index) => {
          const item = document.createElement('li');
          item.id = `${this.resultsTarget.id}-${index}`;
          item.setAttribute('role', 'option');
          item.setAttribute('aria-selected', 'false');
          item.dataset.value = result.id;
          item.textContent = result.label;
          // mousedown, not click: the search box would lose focus, and close the list, first.
          item.addEventListener('mousedown', (event) => {
            event.preventDefault();
            this.choose(result.id, result.label);
          });
          return item;
        }),
      );
      this.open();
      this.statusTarget.textContent = '';
    }

    showMessage(text) {
      const item = document.createElement('li');
      item.className = 'portal-autocomplete__message';
      item.setAttribute('role', 'option');
      item.setAttribute('aria-disabled', 'true');
      item.textContent = text;
      this.resultsTarget.replaceChildren(item);
      this.open();
      this.statusTarget.textContent = text;
    }

    open() {
      this.active = -1;
      this.resultsTarget.hidden = false;
      this.searchBox.setAttribute('aria-expanded', 'true');
      this.searchBox.removeAttribute('aria-activedescendant');
    }

    close() {
      if (this.pending) this.pending.abort();
      this.asked += 1;
      this.resultsTarget.hidden = true;
      this.searchBox.setAttribute('aria-expanded', 'false');
      this.searchBox.removeAttribute('aria-activedescendant');
    }

    get options() {
      return Array.from(this.resultsTarget.querySelectorAll('[role=option][data-value]'));
    }

    navigate(event) {
      const { options } = this;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (this.resultsTarget.hidden) {
          this.search();
          return;
        }
        if (!options.length) return;
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.active = (this.active + step + options.length) % options.length;
        options.forEach((option, index) => {
          option.setAttribute('aria-selected', String(index === this.active));
        });
        this.searchBox.setAttribute('aria-activedescendant', options[this.active].id);
        options[this.active].scrollIntoView({ block: 'nearest' });
      } else if (event.key === 'Enter') {
        // Enter picks the highlighted row; it never submits the editor's form from here.
        event.preventDefault();
        const option = options[this.active] || (options.length === 1 ? options[0] : null);
        if (option) this.choose(option.dataset.value, option.textContent);
      } else if (event.key === 'Escape' && !this.resultsTarget.hidden) {
        event.preventDefault();
        this.close();
      }
    }

    choose(value, label) {
      if (!this.multiple) {
        this.selectElement.replaceChildren();
        this.chosenTarget.replaceChildren();
      }
      this.selectElement.add(new Option(label, value, true, true));
      this.chosenTarget.append(this.chosenItem(value, label));
      this.changed();
      this.searchBox.value = '';
      this.close();
      this.statusTarget.textContent = label;
    }

    chosenItem(value, label) {
      const item = document.createElement('li');
      item.dataset.value = value;
      const name = document.createElement('span');
      name.textContent = label;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button-small button-secondary';
      button.textContent = this.texts.remove;
      button.setAttribute('aria-label', `${this.texts.remove} ${label}`);
      button.dataset.action = 'portal-autocomplete#remove';
      item.append(name, ' ', button);
      return item;
    }

    remove(event) {
      const item = event.target.closest('li');
      const option = Array.from(this.selectElement.options).find(
        (candidate) => candidate.value === item.dataset.value,
      );
      if (option) option.remove();
      item.remove();
      this.changed();
      this.searchBox.focus();
    }

    changed() {
      // Wagtail's editor watches its form for edits (unsaved changes, autosave).
      this.selectElement.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  window.wagtail.app.register('portal-autocomplete', AutocompleteController);
})();
