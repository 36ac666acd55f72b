/*
 * The admin's autocomplete (portal/admin_choosers.py): a hidden select holds what is chosen, and
 * is what the form submits; the search box asks the source as the editor types and adds what
 * they pick. A Stimulus controller, so that rows added to an inline panel work as they appear.
 */
(() => {
  const { Controller } = window.StimulusModule;

  class AutocompleteController extends Controller {
    static targets = ['select', 'chosen', 'input', 'results', 'status'];

    static values = {
      url: String,
      removeText: String,
      nothingText: String,
      failedText: String,
    };

    connect() {
      this.asked = 0;
      this.active = -1;
    }

    disconnect() {
      if (this.pending) this.pending.abort();
    }

    get multiple() {
      return this.selectTarget.multiple;
    }

    async search() {
      const query = this.inputTarget.value.trim();
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
        this.showMessage(this.failedTextValue);
        return;
      }
      // An answer to an older query never replaces the newer one's.
      if (ticket === this.asked) this.show(results);
    }

    show(results) {
      const chosen = new Set(Array.from(this.selectTarget.options, (option) => option.value));
      const offered = results.filter((result) => !chosen.has(result.id));
      if (!offered.length) {
        this.showMessage(this.nothingTextValue);
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
      this.inputTarget.setAttribute('aria-expanded', 'true');
      this.inputTarget.removeAttribute('aria-activedescendant');
    }

    close() {
      if (this.pending) this.pending.abort();
      this.asked += 1;
      this.resultsTarget.hidden = true;
      this.inputTarget.setAttribute('aria-expanded', 'false');
      this.inputTarget.removeAttribute('aria-activedescendant');
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
        this.inputTarget.setAttribute('aria-activedescendant', options[this.active].id);
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
        this.selectTarget.replaceChildren();
        this.chosenTarget.replaceChildren();
      }
      this.selectTarget.add(new Option(label, value, true, true));
      this.chosenTarget.append(this.chosenItem(value, label));
      this.changed();
      this.inputTarget.value = '';
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
      button.textContent = this.removeTextValue;
      button.setAttribute('aria-label', `${this.removeTextValue} ${label}`);
      button.dataset.action = 'portal-autocomplete#remove';
      item.append(name, ' ', button);
      return item;
    }

    remove(event) {
      const item = event.target.closest('li');
      const option = Array.from(this.selectTarget.options).find(
        (candidate) => candidate.value === item.dataset.value,
      );
      if (option) option.remove();
      item.remove();
      this.changed();
      this.inputTarget.focus();
    }

    changed() {
      // Wagtail's editor watches its form for edits (unsaved changes, autosave).
      this.selectTarget.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  window.wagtail.app.register('portal-autocomplete', AutocompleteController);
})();
