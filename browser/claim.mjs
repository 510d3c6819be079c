// bulkpay's claim scenario: a beneficiary paid by link claims the payment on
// a phone-sized screen, in Playwright driving Debian's chromium, headless.
// `go test ./browser -run TestBrowserClaim` plans and approves a batch paying
// by link, starts the sandbox and the server, then runs this script with:
//
//   BULKPAY_URL      the server's base URL
//   BULKPAY_SANDBOX  the sandbox's base URL (its SMS are at /_sandbox/messages)
//   BULKPAY_PHONE    the beneficiary's number, E.164 digits
//   BULKPAY_SHOTS    where the screenshots go
//   CHROMIUM         the browser (default /usr/bin/chromium)
//
// The beneficiary opens the link of the invitation SMS, asks for a code,
// reads it from the sandbox's messages, enters a wrong code and is told the
// tries left, enters the right one, chooses mobile money, and watches the
// status page until the payout is paid. Every wait is bounded.

import assert from "node:assert/strict";
import { chromium } from "playwright-core";

import { env, log, shooter } from "./common.mjs";

const base = env("BULKPAY_URL");
const sandbox = env("BULKPAY_SANDBOX");
const phoneNumber = env("BULKPAY_PHONE");
const shots = env("BULKPAY_SHOTS");
const shot = shooter(shots, "claim-");

const stepTimeout = 15_000;
const payTimeout = 90_000;
const viewport = { width: 360, height: 740 };
const scriptErrors = [];

// messages polls the sandbox's SMS to the beneficiary until one matches re
// (bounded), and returns the match of the latest.
async function message(re, after = 0) {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${sandbox}/_sandbox/messages?to=${phoneNumber}`);
    assert.equal(r.status, 200);
    const all = (await r.json()).slice(after);
    const hits = all.map((m) => m.text.match(re)).filter(Boolean);
    if (hits.length > 0) {
      return hits[hits.length - 1];
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no SMS to ${phoneNumber} matches ${re}`);
}

async function messageCount() {
  const r = await fetch(`${sandbox}/_sandbox/messages?to=${phoneNumber}`);
  return (await r.json()).length;
}

// fitsPhone checks that nothing on the page reaches past the screen.
async function fitsPhone(page, what) {
  const over = await page.evaluate((width) => {
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right + window.scrollX > width + 0.5) {
        out.push(`${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""} ends at ${Math.round(r.right + window.scrollX)}px`);
      }
    }
    return out;
  }, viewport.width);
  assert.deepEqual(over, [], `${what} fits a ${viewport.width}px screen`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const ctx = await browser.newContext({ baseURL: base, locale: "en-GB", viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  page.setDefaultTimeout(stepTimeout);
  page.on("pageerror", (err) => scriptErrors.push(`${page.url()}: ${err.message}`));
  page.on("response", (r) => { if (r.status() >= 400) { log("answer", r.status(), r.request().method(), new URL(r.url()).pathname); } });

  // The invitation SMS carries the link.
  const [link] = await message(/https?:\/\/\S+\/claim\/[A-Za-z0-9_-]+/);
  log("invitation link", link);
  assert.ok(link.startsWith(base), `the link ${link} points at the server ${base}`);
  await page.goto(link);
  await page.waitForSelector(".claim-amount");
  assert.match(await page.textContent(".claim-amount"), /25\s000\sFCFA/);
  const body = await page.textContent("main");
  assert.ok(body.includes("A** N*****"), "the masked name");
  assert.ok(!body.includes("Ndiaye"), "not the name in clear");
  assert.ok(!body.includes(phoneNumber.slice(3)), "not the number in clear");
  assert.equal(await page.locator('input[name="code"]').count(), 0, "no code form before a code is asked");
  await fitsPhone(page, "the claim page");
  await shot(page, "01-open");

  // French, then back: the switch in the header.
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/claim/")), page.click("a.lang")]);
  await page.waitForSelector('html[lang="fr"]');
  assert.ok((await page.textContent("main")).includes("Un paiement de"));
  await fitsPhone(page, "the French claim page");
  await shot(page, "02-open-fr");
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/claim/")), page.click("a.lang")]);
  await page.waitForSelector('html[lang="en"]');

  // Ask for a code; read it from the sandbox's messages.
  const before = await messageCount();
  await Promise.all([page.waitForURL((u) => u.search === "?sent=1"), page.click('form[action$="/code"] button')]);
  await page.waitForSelector('input[name="code"]');
  assert.ok((await page.textContent(".notice")).includes("A code was sent by SMS to"));
  const [, code] = await message(/code: ([0-9]{6})/, before);
  assert.ok(!(await page.content()).includes(code), "the code is not in the page");
  await fitsPhone(page, "the code form");
  await shot(page, "03-code-sent");

  // A wrong code: the tries left.
  const wrong = code === "000000" ? "111111" : "000000";
  await page.fill('input[name="code"]', wrong);
  await Promise.all([page.waitForURL((u) => u.pathname.endsWith("/verify")), page.click('form[action$="/verify"] button')]);
  const alert = await page.textContent(".message");
  assert.ok(alert.includes("This code is wrong: 4 more wrong code(s)"), alert);
  await fitsPhone(page, "the wrong code");
  await shot(page, "04-wrong-code");

  // The right code: the mode choice.
  await page.fill('input[name="code"]', code);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith("/verify")), page.click('form[action$="/verify"] button')]);
  await page.waitForSelector('input[name="mode"][value="mobile_money"]');
  assert.ok(await page.isChecked('input[name="mode"][value="mobile_money"]'));
  assert.ok(await page.isDisabled('input[name="mode"][value="bank_transfer"]'), "bank transfer unavailable");
  assert.ok(!(await page.content()).includes(code), "the code is not in the page");
  await fitsPhone(page, "the mode choice");
  await shot(page, "05-mode");

  // Claim: the status page, revisited until the payout is paid.
  await page.check('input[name="mode"][value="mobile_money"]');
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/claim/")), page.click('form.card button')]);
  await page.waitForSelector("#status");
  await shot(page, "06-claimed");
  await page.waitForSelector('#status h1:has-text("You have been paid")', { timeout: payTimeout });
  await fitsPhone(page, "the status page");
  await shot(page, "07-paid");

  // The status page can be revisited: the same payout.
  const ref = (await page.textContent("#status code")).trim();
  await page.goto(link);
  await page.waitForSelector('#status h1:has-text("You have been paid")');
  assert.equal((await page.textContent("#status code")).trim(), ref);
  assert.deepEqual(scriptErrors, [], "no script error");
  console.log(`CLAIMED ${ref}`);
} finally {
  await browser.close();
}
