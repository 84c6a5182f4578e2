// The signup page: walks a person through the public signup API (create a
// session, verify the emailed code, provision) with no dependencies and no
// build step. Served with a strict CSP, so nothing here is inline or eval'd.
'use strict';
(() => {
  // Resolved from this script's URL so that the page works wherever Portico is mounted.
  const API = new URL('../api/public/signup/sessions', document.currentScript.src).pathname;
  const STORE = 'portico.signup';  // sessionStorage: {sessionId, email, key}
  const STEPS = ['disabled', 'form', 'code', 'provision', 'done'];
  const FIELDS = { companyName: 'companyName', slug: 'slug', modules: 'modules',
    adminEmail: 'adminEmail', otp: 'otp' };
  const $ = (id) => document.getElementById(id);
  const status = $('status');
  let slugEdited = false;
  let resendTimer = 0;
  let resendUntil = 0;

  // --- state kept across reloads (this tab only) --------------------------
  const load = () => {
    try { return JSON.parse(sessionStorage.getItem(STORE)); } catch { return null; }
  };
  const save = (state) => {
    // Storage may be off (privacy settings): the page still works, only without resume.
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch { /* no resume */ }
  };
  const forget = () => sessionStorage.removeItem(STORE);

  // 128 random bits, base64url: the provision request's idempotencyKey.
  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_')
      .replace(/=+$/, '');
  }

  // --- talking to the API -------------------------------------------------
  // Resolves to {status, body, retryAfter}; a network failure becomes a
  // status-0 answer with a message, so every caller handles one shape.
  async function api(method, path, body) {
    const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      const res = await fetch(API + path, init);
      let json = {};
      try { json = await res.json(); } catch { /* an empty or non-JSON body */ }
      const retryAfter = parseInt(res.headers.get('Retry-After') || '', 10);
      return { status: res.status, body: json || {}, retryAfter: retryAfter > 0 ? retryAfter : 0 };
    } catch {
      return { status: 0, body: { message: 'The server cannot be reached. Check your ' +
        'connection and try again.' }, retryAfter: 0 };
    }
  }

  // The API's message, with what the person needs to act on it.
  function describe(answer) {
    const details = answer.body.details || {};
    let text = answer.body.message || 'Something went wrong (HTTP ' + answer.status + ').';
    if (typeof details.attemptsRemaining === 'number' && details.reason === 'OTP_INVALID') {
      const n = details.attemptsRemaining;
      text += ' (' + n + (n === 1 ? ' attempt' : ' attempts') + ' remaining)';
    }
    if (answer.body.code === 'RATE_LIMITED' && answer.retryAfter) {
      text += ' Try again in ' + waitText(answer.retryAfter) + '.';
    }
    return text;
  }

  function waitText(seconds) {
    return seconds < 120 ? seconds + ' seconds' : Math.ceil(seconds / 60) + ' minutes';
  }

  // Shows an error next to its field (details.field), or in the step's alert.
  // Returns true when the answer was handled as "signup is turned off".
  function showError(step, answer, fallbackField) {
    if (answer.body.code === 'FEATURE_DISABLED') { show('disabled'); return true; }
    const field = String((answer.body.details || {}).field || fallbackField || '');
    const key = field.startsWith('legalAcceptance') ? 'legal' : FIELDS[field];
    const target = key && $(key + '-error');
    const message = describe(answer);
    if (target) {
      target.textContent = message;
      target.hidden = false;
      const input = $(key);
      input.setAttribute('aria-invalid', 'true');
      (input.matches('fieldset') ? input.querySelector('input') : input).focus();
    } else {
      const alert = $(step + '-error');
      alert.textContent = message;
      alert.hidden = false;
    }
    return false;
  }

  function clearErrors(section) {
    for (const e of $('step-' + section).querySelectorAll('.error')) {
      e.hidden = true;
      e.textContent = '';
    }
    for (const e of $('step-' + section).querySelectorAll('[aria-invalid]')) {
      e.removeAttribute('aria-invalid');
    }
  }

  function announce(text) { status.textContent = text; }

  // A submit or click handler that ignores repeats while its request runs
  // (a double Enter must not create two sessions).
  function guarded(handler) {
    let busy = false;
    return async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      try { await handler(event); } finally { busy = false; }
    };
  }

  // One step visible at a time; its heading takes focus so screen readers
  // and keyboard users start reading there.
  function show(step, focus = true) {
    for (const s of STEPS) $('step-' + s).hidden = s !== step;
    if (focus) $('h-' + step).focus();
  }

  // --- step 1: the form ---------------------------------------------------
  function suggestSlug(name) {
    let slug = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 40).replace(/-+$/, '');
    if (slug && slug.length < 3) slug += '-org';
    return slug;
  }

  $('companyName').addEventListener('input', () => {
    if (!slugEdited) $('slug').value = suggestSlug($('companyName').value);
  });
  $('slug').addEventListener('input', () => { slugEdited = $('slug').value !== ''; });

  $('form').addEventListener('submit', guarded(async () => {
    clearErrors('form');
    const modules = [...document.querySelectorAll('input[name="modules"]:checked')]
      .map((m) => m.value);
    const legal = $('legal');
    // Checked here because the API cannot tell an unticked box from a tick.
    if (!legal.checked) {
      showError('form', { status: 0, body: { message:
        'Please accept the Terms of Service and the Privacy Policy to continue.',
      details: { field: 'legalAcceptance' } } });
      return;
    }
    const body = {
      companyName: $('companyName').value,
      slug: $('slug').value.trim(),
      modules,
      adminEmail: $('adminEmail').value.trim(),
      legalAcceptance: { termsVersion: legal.dataset.termsVersion,
        privacyVersion: legal.dataset.privacyVersion, acceptedAt: new Date().toISOString() },
    };
    announce('Creating your signup…');
    const answer = await api('POST', '', body);
    if (answer.status !== 201) {
      announce('');
      showError('form', answer);
      return;
    }
    save({ sessionId: answer.body.sessionId, email: body.adminEmail });
    showCode(answer.body, body.adminEmail);
  }));

  // --- step 2: the emailed code -------------------------------------------
  function showCode(view, email) {
    $('code-email').textContent = email || view.adminEmail;
    $('code-expires').textContent = new Date(view.otpExpiresAt).toLocaleTimeString();
    clearErrors('code');
    $('otp').value = '';
    show('code');
    announce('We emailed a 6-digit code to ' + (email || view.adminEmail) + '.');
    startResendWait(Math.ceil((Date.parse(view.resendAvailableAt) - Date.now()) / 1000));
  }

  // The resend button stays focusable (aria-disabled, not disabled) so that
  // keyboard users can find it and hear why it is waiting.
  function startResendWait(seconds) {
    clearInterval(resendTimer);
    resendUntil = Date.now() + Math.max(0, Math.min(seconds, 3600)) * 1000;
    const tick = () => {
      const left = Math.ceil((resendUntil - Date.now()) / 1000);
      const waiting = left > 0;
      $('resend').setAttribute('aria-disabled', String(waiting));
      $('resend-wait').textContent = waiting ? 'Available in ' + waitText(left) + '.' : '';
      if (!waiting) clearInterval(resendTimer);
    };
    tick();
    resendTimer = setInterval(tick, 1000);
  }

  $('code-form').addEventListener('submit', guarded(async () => {
    clearErrors('code');
    const otp = $('otp').value.replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(otp)) {
      showError('code', { status: 0, body: { message: 'Enter the 6 digits from the email.' } },
        'otp');
      return;
    }
    const state = load();
    announce('Checking the code…');
    const answer = await api('POST', '/' + state.sessionId + '/verify-email', { otp });
    if (answer.status !== 200) {
      announce('');
      if (!sessionGone(answer)) showError('code', answer, 'otp');
      return;
    }
    await provision();
  }));

  $('resend').addEventListener('click', guarded(async () => {
    if (Date.now() < resendUntil) {
      announce('A new code can be sent in ' +
        waitText(Math.ceil((resendUntil - Date.now()) / 1000)) + '.');
      return;
    }
    clearErrors('code');
    const answer = await api('POST', '/' + load().sessionId + '/resend-otp', {});
    if (answer.status === 200) {
      announce('A new code is on its way. The previous code no longer works.');
      $('code-expires').textContent = new Date(answer.body.otpExpiresAt).toLocaleTimeString();
      startResendWait(Math.ceil((Date.parse(answer.body.resendAvailableAt) - Date.now()) / 1000));
      $('otp').focus();
      return;
    }
    // 429 carries Retry-After: the cooldown or the per-session send limit.
    if (answer.status === 429) startResendWait(answer.retryAfter);
    if (!sessionGone(answer)) showError('code', answer);
  }));

  // An expired or unknown session cannot be continued: back to the form.
  function sessionGone(answer) {
    const code = answer.body.code;
    if (code !== 'SESSION_EXPIRED' && code !== 'NOT_FOUND') return false;
    restart(describe(answer) + ' Please start again.');
    return true;
  }

  function restart(message) {
    forget();
    clearInterval(resendTimer);
    clearErrors('form');
    show('form');
    if (message) showError('form', { status: 0, body: { message } });
  }
  $('restart-code').addEventListener('click', () => restart());
  $('restart-done').addEventListener('click', () => {
    for (const id of ['integrationKey', 'bootstrapToken', 'publicLoginToken']) {
      $(id).textContent = '';
    }
    $('form').reset();
    slugEdited = false;
    restart();
  });

  // --- step 3: provisioning -----------------------------------------------
  function renderSteps(stepState) {
    const items = document.querySelectorAll('#steps li');
    let done = 0;
    for (const li of items) {
      const finished = Boolean(stepState && stepState[li.dataset.step]);
      li.classList.toggle('done', finished);
      done += finished ? 1 : 0;
    }
    return done;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // POST …/provision runs all seven steps in one request; meanwhile the
  // session's GET shows the markers as each step commits.
  let provisioning = false;
  async function provision() {
    if (provisioning) return;
    provisioning = true;
    const state = load();
    if (!state.key) { state.key = newKey(); save(state); }
    clearErrors('provision');
    $('review').hidden = true;
    show('provision');
    announce('Setting up your organization…');
    const poller = { on: true, done: -1 };
    (async () => {
      while (poller.on) {
        const view = await api('GET', '/' + state.sessionId);
        if (poller.on && view.status === 200) {
          const done = renderSteps(view.body.provisionStepState);
          if (done !== poller.done && done > 0) announce(done + ' of 7 setup steps done.');
          poller.done = done;
        }
        await sleep(400);
      }
    })();
    try {
      for (;;) {
        const answer = await api('POST', '/' + state.sessionId + '/provision',
          { idempotencyKey: state.key });
        // Another tab or the request of a reloaded page still holds the run: ask
        // again soon (Retry-After is the whole lease, but a run takes seconds).
        if (answer.body.code === 'PROVISIONING_IN_PROGRESS') {
          await sleep(Math.min(answer.retryAfter || 1, 2) * 1000);
          continue;
        }
        poller.on = false;
        if (answer.body.provisionStepState) renderSteps(answer.body.provisionStepState);
        if (answer.status === 201) return showCredentials(answer.body);
        if (answer.status === 202) return showReview(answer.body.failureReason);
        announce('');
        if (!sessionGone(answer)) showError('provision', answer);
        return;
      }
    } finally {
      poller.on = false;
      provisioning = false;
    }
  }

  function showReview(reason) {
    reason = reason || {};
    $('review-reason').textContent = (reason.message || 'A dependency failed.') +
      (reason.code ? ' (' + reason.code + (reason.step ? ', at ' + reason.step : '') + ')' : '');
    $('review').hidden = false;
    announce('Setup stopped and needs attention: ' + (reason.message || reason.code || ''));
    $('retry').focus();
  }

  // Runbook recovery: a retry after REVIEW_REQUIRED uses a NEW idempotency key
  // (the old one would only replay the failure).
  $('retry').addEventListener('click', () => {
    if (provisioning) return;
    const state = load();
    state.key = newKey();
    save(state);
    provision();
  });

  // --- step 4: the credentials, shown once -------------------------------
  function showCredentials(result) {
    for (const id of ['integrationKey', 'bootstrapToken', 'publicLoginToken']) {
      $(id).textContent = result[id] || '';
    }
    const endpoints = result.endpoints || {};
    const list = $('endpoints');
    list.replaceChildren();
    for (const [name, url] of Object.entries(endpoints)) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      const code = document.createElement('code');
      code.textContent = url;
      dd.append(code);
      list.append(dt, dd);
    }
    $('curl-scim').textContent = "export PORTICO_INTEGRATION_KEY='<integration key>'\n" +
      'curl -s "' + endpoints.scimBaseUrl + '/Users" \\\n' +
      '  -H "Authorization: Bearer $PORTICO_INTEGRATION_KEY"';
    $('curl-dcr').textContent = "export PORTICO_BOOTSTRAP_TOKEN='<bootstrap token>'\n" +
      'curl -s "' + endpoints.registrationEndpoint + '" \\\n' +
      '  -H "Authorization: Bearer $PORTICO_BOOTSTRAP_TOKEN" \\\n' +
      "  -H 'Content-Type: application/json' \\\n" +
      '  -d \'{"client_name":"my-agent","grant_types":["client_credentials"]}\'';
    // Shown once: forget the session and its key, so a reload cannot replay the secrets.
    forget();
    show('done');
    announce('Your organization is ready. Copy the credentials now: they are shown only once.');
  }

  // Copy buttons: the clipboard API where the page is a secure context (https
  // or localhost); elsewhere the text is selected for Ctrl+C.
  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-copy]');
    if (!button) return;
    const source = $(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(source.textContent);
      announce('Copied.');
    } catch {
      getSelection().selectAllChildren(source);
      announce('Selected: press Ctrl+C (or Cmd+C) to copy.');
    }
  });

  // --- start: a fresh form, or resume the session of this tab -------------
  async function start() {
    if (document.body.dataset.signup === 'disabled') { show('disabled', false); return; }
    const state = load();
    if (!state || !state.sessionId) { show('form', false); return; }
    const answer = await api('GET', '/' + state.sessionId);
    if (answer.status !== 200) {
      if (answer.body.code === 'FEATURE_DISABLED') { show('disabled', false); return; }
      restart('Your earlier signup could not be found. Please start again.');
      return;
    }
    const view = answer.body;
    switch (view.status) {
      case 'PENDING_EMAIL_VERIFICATION': showCode(view, state.email); break;
      case 'EMAIL_VERIFIED': case 'PROVISIONING': provision(); break;
      case 'REVIEW_REQUIRED':
        show('provision');
        renderSteps(view.provisionStepState);
        showReview(view.failureReason);
        break;
      // With its key still here the credentials were never shown: replay them.
      case 'PROVISIONED':
        if (state.key) { provision(); break; }
        restart('This organization is already set up; its credentials were shown once.');
        break;
      default: restart('Your earlier signup has expired. Please start again.');
    }
  }
  start();
})();
