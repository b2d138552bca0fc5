// The intake page from the keyboard: Ctrl+Enter saves; the address field offers standard
// addresses (↑↓ move, Enter or Tab choose, Esc closes); choosing one refreshes the panel.
(function () {
  "use strict";
  const form = document.querySelector("form[data-addresses-url]");
  if (!form) return;
  const input = document.getElementById("id_address_text");
  const hidden = document.getElementById("id_address_id");
  const list = document.getElementById("address-options");
  const source = form.dataset.addressesUrl;
  let active = -1;
  let timer = null;
  let asked = "";

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  function options() {
    return Array.from(list.querySelectorAll('[role="option"]'));
  }

  function open(html) {
    list.innerHTML = html;
    const any = options().length > 0 || list.children.length > 0;
    list.hidden = !any;
    input.setAttribute("aria-expanded", any ? "true" : "false");
    highlight(options().length > 0 && options()[0].classList.contains("confident") ? 0 : -1);
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const all = options();
    active = all.length ? Math.max(-1, Math.min(index, all.length - 1)) : -1;
    all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(option) {
    input.value = option.dataset.text;
    hidden.value = option.dataset.id;
    close();
    document.body.dispatchEvent(new Event("address-chosen"));
  }

  function fetchOptions() {
    const query = input.value.trim();
    if (query.length < 2) { close(); return; }
    if (query === asked) return;
    asked = query;
    fetch(source + "&address_text=" + encodeURIComponent(query), { headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (input.value.trim() === query) open(html); });
  }

  input.addEventListener("input", function () {
    hidden.value = "";
    asked = "";
    clearTimeout(timer);
    timer = setTimeout(fetchOptions, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey) return;
    const all = options();
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden) { asked = ""; fetchOptions(); } else { highlight(active + 1); }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active - 1);
    } else if ((event.key === "Enter" || event.key === "Tab") && !list.hidden && active >= 0 && all[active]) {
      if (event.key === "Enter") event.preventDefault();
      choose(all[active]);
    } else if (event.key === "Enter" && !list.hidden) {
      event.preventDefault();
    } else if (event.key === "Escape") {
      close();
    }
  });

  list.addEventListener("mousedown", function (event) {
    const option = event.target.closest('[role="option"]');
    if (option) { event.preventDefault(); choose(option); }
  });

  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
