// Enhancements for preparing an application. Every flow works without this file:
// the explicit Save buttons post the forms and the server computes every total.
//   1. live character counts for textareas with data-max-chars
//   2. autosave of the project page (form[data-autosave-url])
//   3. live budget totals in integer cents (table#budget[data-share])
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var NBSP = "\u00a0";
  // The words come from the page (translated by the server), with English as a last resort.
  function msg(element, name, fallback) {
    return (element && element.getAttribute("data-msg-" + name)) || fallback;
  }

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // ── 1. Character counts ────────────────────────────────────────────────────
  // Counted in characters (code points) with line breaks as one, as the server counts them.
  function charLength(value) {
    return Array.from(value.replace(/\r\n/g, "\n")).length;
  }

  function setUpCounter(textarea) {
    var max = parseInt(textarea.getAttribute("data-max-chars"), 10);
    var counter = document.getElementById(textarea.id + "_count");
    if (!counter || !max) { return; }
    // The visible count changes on every key; a polite live region speaks it after a pause.
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    counter.parentNode.insertBefore(live, counter.nextSibling);
    var timer = null;
    var countText = msg(counter, "count", "{n} / {max} characters");
    var overText = msg(counter, "over", "{n} characters too many");
    function text() {
      var n = charLength(textarea.value);
      var base = fmt(countText, { n: n, max: max });
      return { n: n, over: n > max, text: n > max ? base + " – " + fmt(overText, { n: n - max }) : base };
    }
    function update() {
      var state = text();
      counter.textContent = state.text;
      counter.classList.toggle("is-over", state.over);
      clearTimeout(timer);
      timer = setTimeout(function () { live.textContent = text().text; }, 1500);
    }
    textarea.addEventListener("input", update);
    counter.textContent = text().text;
    counter.classList.toggle("is-over", text().over);
  }

  // ── 2. Autosave ────────────────────────────────────────────────────────────
  function setUpAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = document.getElementById("autosave-status");
    var version = form.querySelector("input[name=version]");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!url || !status || !version || !csrf || !window.fetch || !window.FormData || !window.URLSearchParams) { return; }

    var T = {
      saving: msg(form, "saving", "Saving…"),
      saved: msg(form, "saved", "Saved automatically at {time}."),
      failed: msg(form, "failed", "Saving automatically did not work. Use the Save button."),
      invalid: msg(form, "invalid", "Not saved automatically: correct the fields with errors, then save.")
    };
    var dirty = false;
    var inFlight = false;
    var stopped = false;
    var submitAfterSave = null;
    var idleTimer = null;
    var TYPING_PAUSE = 2000;
    var PERIOD = 30000;

    function show(message, isError) {
      status.textContent = message;
      status.classList.toggle("is-error", !!isError);
      if (isError) { status.setAttribute("role", "alert"); } else { status.setAttribute("role", "status"); }
    }

    function stop(message) {
      stopped = true;
      clearTimeout(idleTimer);
      show(message, true);
    }

    // What the form holds, field by field (name -> its values in order), as it would be posted.
    // Unchecked boxes post nothing, so every named, enabled field starts with no values.
    function snapshot() {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (element) {
        if (element.name && !element.disabled && element.name !== "csrfmiddlewaretoken" && element.name !== "version" && element.type !== "submit") {
          values[element.name] = [];
        }
      });
      new FormData(form).forEach(function (value, name) {
        if (values[name] && typeof value === "string") { values[name].push(value); }
      });
      return values;
    }

    // A page shown again after a Save that failed holds values that were not saved: the first
    // autosave then sends every field.
    var lastSaved = form.hasAttribute("data-autosave-unsaved") ? {} : snapshot();

    function save() {
      if (stopped || inFlight || !dirty) { return; }
      inFlight = true;
      dirty = false;
      // Only the fields that changed since the last save, named in "fields": the server leaves the
      // others as they are. Posted url-encoded (what the form holds is text): cheaper for the server
      // to read than multipart. URLSearchParams sets the content type itself.
      var now = snapshot();
      var names = Object.keys(now).filter(function (name) {
        return JSON.stringify(now[name]) !== JSON.stringify(lastSaved[name]);
      });
      if (!names.length) { inFlight = false; return; }
      var data = new URLSearchParams();
      names.forEach(function (name) { now[name].forEach(function (value) { data.append(name, value); }); });
      data.set("fields", names.join(","));
      data.set("version", version.value);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf.value, "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; }, function () { return { status: response.status, body: {} }; });
      }).then(function (result) {
        var body = result.body || {};
        if (result.status === 200 && body.ok) {
          version.value = body.version;
          lastSaved = now;
          show(fmt(T.saved, { time: body.saved_at }), false);
        } else if (result.status === 409 || result.status === 401 || result.status === 403) {
          // A newer version exists, or the user may no longer save: never overwrite; keep the text on screen.
          stop(body.message || T.failed);
          submitAfterSave = null;
        } else if (result.status === 400) {
          show(body.message || T.invalid, true);
        } else {
          dirty = true;
          show(T.failed, true);
        }
      }).catch(function () {
        dirty = true;
        show(T.failed, true);
      }).then(function () {
        inFlight = false;
        if (submitAfterSave) {
          var submitter = submitAfterSave;
          submitAfterSave = null;
          if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
        }
      });
    }

    function changed() {
      if (stopped) { return; }
      dirty = true;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(save, TYPING_PAUSE);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    setInterval(function () { if (dirty) { save(); } }, PERIOD);

    // The explicit Save waits for a background save in progress, so that it carries the newest version.
    form.addEventListener("submit", function (event) {
      clearTimeout(idleTimer);
      if (inFlight) {
        event.preventDefault();
        submitAfterSave = event.submitter || form.querySelector("button[type=submit]");
        show(T.saving, false);
        return;
      }
      stopped = true;  // the page is being saved and left
    });
  }

  // ── 3. Budget totals ───────────────────────────────────────────────────────
  // Money in integer cents (BigInt): no floating-point rounding. The maximum grant is the share of
  // the eligible costs rounded DOWN to the cent, as on the server.
  var B = window.BigInt;
  var ZERO = B ? B(0) : 0;
  var HUNDRED = B ? B(100) : 100;

  // Read as the server reads it (drafting_rules.parse_euros): in English a comma groups thousands
  // and a point is the decimal separator; in Finnish and Swedish a comma (or a point) is the decimal
  // separator and spaces group. Text the server would refuse as ambiguous gives no total.
  var ENGLISH = (document.documentElement.getAttribute("lang") || "").slice(0, 2) === "en";

  function parseCents(text) {
    var value = (text || "").replace(/[\s\u00a0\u202f\u2009]/g, "").replace(/^(€|eur)/i, "").replace(/(€|eur|euroa|euro|euros)$/i, "");
    if (!value) { return null; }
    if (ENGLISH) {
      if (!/^\d{1,3}(,\d{3})*(\.\d{0,2})?$|^\d*(\.\d{0,2})?$/.test(value)) { return null; }
      value = value.replace(/,/g, "");
    } else {
      if (value.indexOf(",") >= 0 && value.indexOf(".") >= 0) { return null; }
      value = value.replace(",", ".");
    }
    var match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(value);
    if (!match) { return null; }
    var cents = B(match[1]) * HUNDRED + B(((match[2] || "") + "00").slice(0, 2));
    return cents;
  }

  function formatCents(cents) {
    var negative = cents < ZERO;
    if (negative) { cents = -cents; }
    var whole = (cents / HUNDRED).toString();
    var rest = (cents % HUNDRED).toString().padStart(2, "0");
    var groups = [];
    while (whole.length > 3) { groups.unshift(whole.slice(-3)); whole = whole.slice(0, -3); }
    groups.unshift(whole);
    return (negative ? "-" : "") + groups.join(NBSP) + "," + rest + NBSP + "€";
  }

  // '0.8500' → [8500n, 10000n]: the share as an exact fraction.
  function parseShare(text) {
    var parts = (text || "0").split(".");
    var decimals = parts[1] || "";
    var denominator = B("1" + "0".repeat(decimals.length));
    return [B(parts[0] + decimals), denominator];
  }

  function setUpBudget(table) {
    var form = table.closest("form");
    var share = parseShare(table.getAttribute("data-share"));
    var requestedInput = document.getElementById("id_requested_grant");
    var template = document.getElementById("budget-empty-row");
    var totalForms = form.querySelector("input[name=lines-TOTAL_FORMS]");

    function setAll(selector, text) {
      document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
    }

    function recompute() {
      var byParticipant = {};
      var byCategory = {};
      var eligible = ZERO;
      table.querySelectorAll("tbody tr.budget-row").forEach(function (row) {
        var participant = row.querySelector("select[name$='-participant']");
        var category = row.querySelector("select[name$='-category']");
        var amount = row.querySelector("input[name$='-amount']");
        var del = row.querySelector("input[name$='-DELETE']");
        if (!participant || !category || !amount || (del && del.checked)) { return; }
        var cents = parseCents(amount.value);
        if (cents === null || cents <= ZERO || !participant.value || !category.value) { return; }
        eligible += cents;
        byParticipant[participant.value] = (byParticipant[participant.value] || ZERO) + cents;
        byCategory[category.value] = (byCategory[category.value] || ZERO) + cents;
      });
      var max = eligible > ZERO ? (eligible * share[0]) / share[1] : ZERO;  // BigInt division rounds down
      document.querySelectorAll("[data-participant-total]").forEach(function (el) {
        el.textContent = formatCents(byParticipant[el.getAttribute("data-participant-total")] || ZERO);
      });
      document.querySelectorAll("[data-category-total]").forEach(function (el) {
        el.textContent = formatCents(byCategory[el.getAttribute("data-category-total")] || ZERO);
      });
      setAll("[data-total=eligible]", formatCents(eligible));
      setAll("[data-total=max]", formatCents(max));
      var requested = requestedInput ? parseCents(requestedInput.value) : null;
      if (requested === null) {
        setAll("[data-total=requested]", "–");
        setAll("[data-total=own]", "–");
        setAll("[data-total=share]", "–");
      } else {
        setAll("[data-total=requested]", formatCents(requested));
        setAll("[data-total=own]", formatCents(eligible - requested));
        // Percentage with two decimals, half up (as the server shows it): hundredths of a per cent.
        if (eligible > ZERO) {
          var hundredths = (requested * B(20000) + eligible) / (eligible * B(2));
          setAll("[data-total=share]", (hundredths / HUNDRED).toString() + "," + (hundredths % HUNDRED).toString().padStart(2, "0") + NBSP + "%");
        } else {
          setAll("[data-total=share]", "–");
        }
      }
      var note = document.getElementById("totals-note");
      if (note) { note.classList.add("is-live"); }
    }

    form.addEventListener("input", recompute);
    form.addEventListener("change", recompute);

    // "Add a row" without a round trip: a copy of the formset's empty form.
    if (template && totalForms) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary";
      button.textContent = msg(table, "add-row", "Add a row");
      button.addEventListener("click", function () {
        var index = parseInt(totalForms.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__row__/g, String(index + 1));
        var tbody = table.querySelector("tbody");
        tbody.insertAdjacentHTML("beforeend", html);
        totalForms.value = String(index + 1);
        var added = tbody.lastElementChild.querySelector("select");
        if (added) { added.focus(); }
      });
      var wrap = document.createElement("p");
      wrap.appendChild(button);
      template.parentNode.insertBefore(wrap, template);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-max-chars]").forEach(setUpCounter);
    document.querySelectorAll("form[data-autosave-url]").forEach(setUpAutosave);
    var budget = document.querySelector("table#budget[data-share]");
    if (budget && window.BigInt) { setUpBudget(budget); }
  });
})();
