// Drives Portico's /signup page in Debian's headless Chromium (playwright-core,
// no browser download) the way a person would, and checks what they get.
//
//   BASE_URL=http://127.0.0.1:PORT MAIL_DIR=/tmp/sink MODE=full node signup_page.mjs
//
// MODE=full (default): fill the form at 320 px wide, read the code from the
// SMTP sink's message files (MAIL_DIR/<n>.eml), enter a wrong code (the
// OTP_INVALID message with attempts remaining must show next to the field),
// then the right one; watch the steps fill in and reload mid-way (the server
// runs with PORTICO_TEST_STEP_DELAY_MS); wait for the credentials, check
// them, and use the integration key and the bootstrap token.
// MODE=review: the server fails a step (PORTICO_TEST_FAIL_STEP=
// detectors_seeded_at); the page must show REVIEW_REQUIRED with its reason,
// retry with a new idempotency key, and show it again after a reload.
// MODE=disabled: the server runs with SELF_SERVE_SIGNUP_ENABLED=false; the
// page must say signup is closed.
// Every mode fails on any console error, page error or CSP violation. Exit 0
// and "signup page (<mode>): ok" on success; a message and exit 1 otherwise.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL;
const MAIL_DIR = process.env.MAIL_DIR;
const MODE = process.env.MODE || 'full';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT = 30000;

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

// The 6-digit code of the newest mail to `email` whose code is not `except`.
async function waitForCode(email, except) {
  const deadline = Date.now() + STEP_TIMEOUT;
  while (Date.now() < deadline) {
    const files = readdirSync(MAIL_DIR).filter((f) => /^\d+\.eml$/.test(f))
      .sort((a, b) => parseInt(b, 10) - parseInt(a, 10));
    for (const f of files) {
      const text = readFileSync(join(MAIL_DIR, f), 'utf8');
      const m = /verification code is: ([0-9]{6})/.exec(text);
      if (m && text.includes('to=<' + email + '>') && m[1] !== except) return m[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no verification mail to ' + email + ' in ' + MAIL_DIR);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.id);
}

const storedState = (page) =>
  page.evaluate(() => JSON.parse(sessionStorage.getItem('portico.signup')));

// The form and the emailed code, as far as the provisioning step.
async function signUpAndVerify(page, email, slug) {
  const company = page.getByLabel('Company name');
  await company.click();
  await page.keyboard.type('Browser Co Ärger');  // the slug is suggested, diacritics folded
  const suggested = await page.getByLabel('Slug').inputValue();
  check(suggested === 'browser-co-arger', 'slug suggested from the company name: ' + suggested);
  await page.getByLabel('Slug').fill(slug);
  await page.getByLabel(/^Sign-up/).check();
  check(await page.getByLabel(/^SCIM/).isChecked(), 'scim checked');
  check(await page.getByLabel(/^DCR/).isChecked(), 'dcr checked');
  await page.getByLabel('Admin email').fill(email);

  // Keyboard only: the terms box is ticked with Space, the form sent with Enter.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('#legal-error').waitFor({ state: 'visible' });
  check(await focusedId(page) === 'legal', 'focus on the unticked terms box');
  await page.keyboard.press('Space');
  await page.getByLabel('Admin email').press('Enter');

  await page.locator('#h-code').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  check(await focusedId(page) === 'h-code', 'focus moves to the code step heading');
  check(/emailed a 6-digit code/.test(await page.locator('#status').textContent()),
    'the live region announces the code step');
  check(await page.locator('#resend').getAttribute('aria-disabled') === 'true',
    'resend waits for its cooldown');
  check(/Available in \d+ seconds/.test(await page.locator('#resend-wait').textContent()),
    'the cooldown is shown in words');

  const code = await waitForCode(email, null);
  const otp = page.getByLabel('6-digit code');
  return { code, otp };
}

async function full(page) {
  const email = 'admin@browser-co.example';
  const { code, otp } = await signUpAndVerify(page, email, 'browser-co');
  const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
  await otp.fill(wrong);
  await otp.press('Enter');
  const otpError = page.locator('#otp-error');
  await otpError.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  const errorText = await otpError.textContent();
  check(/not valid/.test(errorText) && /4 attempts remaining/.test(errorText),
    'a wrong code shows the OTP_INVALID message with attempts remaining, got: ' + errorText);
  check(await otp.getAttribute('aria-invalid') === 'true', 'the code field is marked invalid');
  check((await otp.getAttribute('aria-describedby')).includes('otp-error'),
    'the error is tied to the field');

  await otp.fill(code);
  await otp.press('Enter');
  // The list fills in while the request runs, and the live region says so.
  await page.locator('#h-provision').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  await page.waitForFunction(() => {
    const n = document.querySelectorAll('#steps li.done').length;
    return n > 0 && n < 7;
  }, null, { timeout: STEP_TIMEOUT });
  check(/[1-6] of 7 setup steps done/.test(await page.locator('#status').textContent()),
    'progress is announced');
  // A reload mid-way resumes with the same idempotency key.
  const state = await storedState(page);
  check(/^[A-Za-z0-9_-]{22}$/.test(state.key), 'a generated idempotency key is kept: ' + state.key);
  await page.reload();
  await page.locator('#h-done').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  check(await focusedId(page) === 'h-done', 'focus moves to the credentials heading');
  const done = await page.locator('#steps li.done').count();
  check(done === 7, 'all seven provisioning steps are shown done, got ' + done);

  const ik = (await page.locator('#integrationKey').textContent()).trim();
  const bt = (await page.locator('#bootstrapToken').textContent()).trim();
  const pl = (await page.locator('#publicLoginToken').textContent()).trim();
  check(ik.startsWith('portico_ik_') && ik.length > 20, 'integration key shown: ' + ik);
  check(bt.startsWith('portico_bt_') && bt.length > 20, 'bootstrap token shown: ' + bt);
  check(pl.startsWith('portico_pl_') && pl.length > 20, 'public login token shown: ' + pl);
  check(new Set([ik, bt, pl]).size === 3, 'the three credentials are distinct');
  const scimCurl = await page.locator('#curl-scim').textContent();
  check(scimCurl.includes(BASE_URL + '/scim/v2/Users'), 'the SCIM curl line: ' + scimCurl);
  check((await page.locator('#curl-dcr').textContent()).includes(BASE_URL + '/oauth/register'),
    'the DCR curl line');
  const endpoints = await page.locator('#endpoints').textContent();
  check(endpoints.includes(BASE_URL + '/scim/v2'), 'the endpoints are listed: ' + endpoints);
  check(await storedState(page) === null,
    'shown once: the tab forgets the session and its idempotency key');

  // The page must not scroll sideways at 320 px, even with the long secrets.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 320, 'no horizontal scrolling at 320 px, scrollWidth ' + width);

  // Copy: the clipboard API (the page is a secure context on 127.0.0.1).
  await page.getByRole('button', { name: 'Copy integration key' }).click();
  await page.locator('#status', { hasText: 'Copied' }).waitFor({ timeout: 5000 });
  check(await page.evaluate(() => navigator.clipboard.readText()) === ik,
    'the copy button copies the integration key');

  // What the page showed works.
  const users = await fetch(BASE_URL + '/scim/v2/Users', {
    headers: { Authorization: 'Bearer ' + ik } });
  const usersBody = await users.text();
  check(users.status === 200, 'GET /scim/v2/Users with the shown key: ' + users.status + ' ' +
    usersBody);
  check(usersBody.includes(email), 'the admin is a SCIM user');
  const client = await fetch(BASE_URL + '/oauth/register', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + bt, 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'browser-agent', grant_types: ['client_credentials'] }),
  });
  check(client.status === 201, 'the shown bootstrap token registers a client: ' + client.status);

  // The page provisioned with the key it kept across the reload: that key
  // replays exactly the credentials shown.
  const replay = await fetch(BASE_URL + '/api/public/signup/sessions/' + state.sessionId +
    '/provision', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ idempotencyKey: state.key }) });
  const replayed = await replay.json();
  check(replay.status === 201 && replayed.integrationKey === ik,
    'the kept key replays the shown credentials: ' + replay.status);

  // A reload starts afresh instead of showing the secrets again.
  await page.reload();
  await page.locator('#h-form').waitFor({ state: 'visible' });
  check(!(await page.content()).includes(ik), 'the secrets are gone after a reload');
}

async function review(page) {
  const { code, otp } = await signUpAndVerify(page, 'admin@review-co.example', 'review-co');
  await otp.fill(code);
  await otp.press('Enter');
  const reason = page.locator('#review-reason');
  await reason.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  const text = await reason.textContent();
  check(/INJECTED_FAILURE/.test(text) && /detectors_seeded_at/.test(text),
    'REVIEW_REQUIRED shows its failureReason: ' + text);
  check(await focusedId(page) === 'retry', 'focus moves to the retry button');
  check(await page.locator('#steps li.done').count() === 3, 'three steps done before the failure');
  const firstKey = (await storedState(page)).key;

  // Retry (runbook recovery): a new idempotency key, and here the same failure.
  await page.getByRole('button', { name: 'Try again' }).press('Enter');
  await page.waitForFunction((k) => {
    const state = JSON.parse(sessionStorage.getItem('portico.signup'));
    return state && state.key !== k && !document.getElementById('review').hidden;
  }, firstKey, { timeout: STEP_TIMEOUT });

  // A reload resumes on the same review.
  await page.reload();
  await reason.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  check(/INJECTED_FAILURE/.test(await reason.textContent()), 'the review survives a reload');
}

async function disabled(page) {
  await page.locator('#h-disabled').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  check(/turned off/.test(await page.locator('#step-disabled').textContent()),
    'the closed notice explains itself');
  check(!(await page.locator('#step-form').isVisible()), 'no form while signup is off');
}

async function main() {
  check(BASE_URL, 'BASE_URL is set');
  check(MODE === 'disabled' || MAIL_DIR, 'MAIL_DIR is set');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root Chromium needs --no-sandbox; the rest keep it off the network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const problems = [];
  try {
    const context = await browser.newContext({
      viewport: { width: 320, height: 720 },
      reducedMotion: 'reduce',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    // Recorded from the first script on, whatever the page's own CSP says.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
      });
    });
    const page = await context.newPage();
    // Chromium logs every 4xx fetch as an error; the wrong code's 400 is expected.
    const expected = /^Failed to load resource: the server responded with a status of 4\d\d/;
    page.on('console', (m) => {
      if (m.type() === 'error' && !expected.test(m.text())) {
        problems.push('console: ' + m.text());
      }
    });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    const response = await page.goto(BASE_URL + '/signup');
    check(response.status() === 200, 'GET /signup: ' + response.status());
    const csp = response.headers()['content-security-policy'] || '';
    check(csp.includes("script-src 'self'") && csp.includes("default-src 'none'"),
      'the page is served with the strict CSP: ' + csp);
    check(await page.evaluate(() => getComputedStyle(document.querySelector('.skip')).position)
      === 'absolute', 'the stylesheet is applied');
    await ({ full, review, disabled }[MODE] || (() => check(false, 'unknown MODE ' + MODE)))(page);
    check(problems.length === 0, 'no console errors or CSP violations:\n  ' +
      problems.join('\n  '));
  } finally {
    await browser.close();
  }
  console.log('signup page (' + MODE + '): ok');
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
