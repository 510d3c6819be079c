// bulkpay's browser scenario: Playwright (playwright-core) driving Debian's
// chromium, headless, against a running `bulkpay serve`. `go test ./browser`
// starts the server, the sandbox and the users, then runs this script with:
//
//   BULKPAY_URL          the server's base URL
//   BULKPAY_INITIATOR, BULKPAY_INITIATOR_PASSWORD, BULKPAY_APPROVER, BULKPAY_APPROVER_PASSWORD
//   BULKPAY_SCENARIOS    JSON: one scenario per language (see browser_test.go)
//   BULKPAY_SHOTS        where the screenshots go
//   CHROMIUM             the browser (default /usr/bin/chromium)
//
// Each scenario signs in, uploads a sheet with errors and reads the error
// table, uploads the fixed sheet and reads its plan, is refused the approval
// as its planner, approves as a second user, starts the run and waits for the
// live progress to reach the end, resolves the item left in review, and
// downloads the reports; then the pages are checked at a phone's width.
// Every wait is for a state of the page, bounded by a timeout.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

import { env, log, shooter } from "./common.mjs";

const base = env("BULKPAY_URL");
const initiator = { name: env("BULKPAY_INITIATOR"), password: env("BULKPAY_INITIATOR_PASSWORD") };
const approver = { name: env("BULKPAY_APPROVER"), password: env("BULKPAY_APPROVER_PASSWORD") };
const scenarios = JSON.parse(env("BULKPAY_SCENARIOS"));
const shots = env("BULKPAY_SHOTS");
const shot = shooter(shots);

// How long a step may take: a page, and a whole run (it includes a payout
// whose answer never comes, given up after the provider's timeout).
const stepTimeout = 15_000;
const runTimeout = 120_000;

// What each language's pages must say (a few words of server/i18n.go).
const words = {
  en: {
    signIn: "Sign in", invalidRows: "Rows to fix", headers: ["Row", "Column", "Value", "What to do"],
    planOf: "Plan of batch", forbidden: "Your role does not allow this.", approvedBy: "approved by",
    ended: "Finished", nothingInReview: "No item needs a decision.", otherLang: "Français",
    state: { succeeded: "paid", review: "in review" },
  },
  fr: {
    signIn: "Se connecter", invalidRows: "Lignes à corriger", headers: ["Ligne", "Colonne", "Valeur", "Que faire"],
    planOf: "Plan du lot", forbidden: "Votre rôle ne permet pas cette action.", approvedBy: "approuvé par",
    ended: "Terminé", nothingInReview: "Aucun paiement n'attend de décision.", otherLang: "English",
    state: { succeeded: "payé", review: "à examiner" },
  },
};

// Errors thrown by the pages' script: there must be none.
const scriptErrors = [];

const desktop = { width: 1280, height: 900 };
// The approver's time zone: an hour ahead of UTC all year (no summer time).
const approverZone = "Africa/Douala";
const phone = { width: 390, height: 844 };

// newPage opens a page in a fresh context (its own cookies): a person at
// their own browser, whose language is locale (and time zone, zone).
async function newPage(browser, locale, viewport = desktop, mobile = false, zone = undefined) {
  const ctx = await browser.newContext({
    baseURL: base, locale, viewport, acceptDownloads: true, timezoneId: zone,
    isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1,
  });
  const page = await ctx.newPage();
  page.setDefaultTimeout(stepTimeout);
  page.on("pageerror", (err) => scriptErrors.push(`${page.url()}: ${err.message}`));
  page.on("response", (r) => { if (r.status() >= 400) { log("answer", r.status(), r.request().method(), new URL(r.url()).pathname); } });
  return page;
}

async function signIn(page, user, lang) {
  await page.goto("/login");
  await page.waitForSelector(`html[lang="${lang}"]`);
  await page.fill('input[name="name"]', user.name);
  await page.fill('input[name="password"]', user.password);
  await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.click('form[action="/login"] button')]);
  await page.waitForSelector(`.who:has-text("${user.name}")`);
}

// upload fills the new batch form with a sheet and sends it.
async function upload(page, sc, file) {
  await page.setInputFiles('input[name="sheet"]', file);
  await page.fill('input[name="reference"]', sc.reference);
  await page.fill('input[name="period"]', sc.period);
  await Promise.all([page.waitForURL((u) => u.pathname === "/batches"), page.click('form[action="/batches"] button')]);
}

// fitsPhone checks that nothing on the page reaches past the phone's
// screen but what scrolls in a box of its own (the tables). A mobile browser
// widens its layout to the widest content, so the elements are measured, not
// the window.
async function fitsPhone(page, what) {
  const over = await page.evaluate((width) => {
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (el.parentElement.closest(".scroll")) {
        continue;
      }
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right + window.scrollX > width + 0.5) {
        out.push(`${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""} ends at ${Math.round(r.right + window.scrollX)}px`);
      }
    }
    return out;
  }, phone.width);
  assert.deepEqual(over, [], `${what} fits a ${phone.width}px screen`);
}

async function cellTexts(row) {
  return (await row.locator("td").allTextContents()).map((s) => s.trim());
}

async function run(browser, sc) {
  const w = words[sc.lang];
  const tag = (n, what) => `${sc.lang}-${String(n).padStart(2, "0")}-${what}`;
  log(`scenario ${sc.lang}: batch ${sc.reference}`);

  // The initiator's browser says English; French is chosen with the switch
  // in the header (a cookie). The approver's browser asks for the scenario's
  // language (Accept-Language).
  const ini = await newPage(browser, "en-GB");
  await ini.goto("/login");
  if (sc.lang !== "en") {
    await Promise.all([ini.waitForURL((u) => u.pathname === "/login"), ini.click("a.lang")]);
  }
  await ini.waitForSelector(`html[lang="${sc.lang}"]`);
  assert.equal((await ini.textContent("h1")).trim(), w.signIn);
  assert.equal((await ini.textContent("a.lang")).trim(), w.otherLang);
  await shot(ini, tag(1, "sign-in"));
  await signIn(ini, initiator, sc.lang);
  await shot(ini, tag(2, "batches"));

  // A sheet with errors: the table names each bad cell in the sheet's own
  // numbering, and nothing is planned.
  await ini.click('a[href="/batches/new"]');
  await ini.waitForSelector('input[name="sheet"]');
  await shot(ini, tag(3, "new-batch"));
  await upload(ini, sc, sc.errors);
  await ini.waitForSelector("table.errors");
  assert.ok((await ini.textContent("h1")).includes(w.invalidRows));
  const headers = (await ini.locator("table.errors th").allTextContents()).map((s) => s.trim());
  assert.deepEqual(headers, w.headers);
  const rows = ini.locator("table.errors tbody tr");
  assert.equal(await rows.count(), sc.bad.length, "one line per bad cell");
  for (let i = 0; i < sc.bad.length; i++) {
    const [row, column, value, todo] = await cellTexts(rows.nth(i));
    assert.deepEqual([row, column, value], [String(sc.bad[i].row), sc.bad[i].column, sc.bad[i].value]);
    assert.ok(todo.length > 10, `row ${row} says what to do: ${todo}`);
  }
  assert.equal(await ini.locator("section.plan").count(), 0, "nothing planned");
  await shot(ini, tag(4, "rows-to-fix"));

  // The fixed sheet: its plan.
  await ini.click('a.button[href="/batches/new"]');
  await ini.waitForSelector('input[name="sheet"]');
  await upload(ini, sc, sc.fixed);
  await ini.waitForSelector("section.plan");
  assert.ok((await ini.textContent("h1")).includes(`${w.planOf} ${sc.reference}`));
  const planHash = (await ini.textContent("section.plan code.hash")).trim();
  assert.match(planHash, /^[0-9a-f]{16,}$/);
  await shot(ini, tag(5, "plan"));

  // The batch page: its planner may not approve it. There is no approval
  // form for them, and the approval sent anyway is refused.
  await Promise.all([ini.waitForURL(`**/batches/${sc.reference}`), ini.click(`a.button[href="/batches/${sc.reference}"]`)]);
  assert.equal(await ini.locator('form[action$="/approve"]').count(), 0, "no approval form for the planner");
  assert.equal(await ini.locator('form[action$="/start"]').count(), 0, "no start before the approval");
  await shot(ini, tag(6, "awaiting-approval"));
  const [refused] = await Promise.all([
    ini.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/batches/${sc.reference}/approve`)),
    ini.evaluate((hash) => {
      const f = document.createElement("form");
      f.method = "post";
      f.action = `${location.pathname}/approve`;
      for (const [k, v] of [["csrf", document.querySelector('input[name="csrf"]').value], ["plan_hash", hash], ["note", "approving my own plan"]]) {
        const i = document.createElement("input");
        i.type = "hidden";
        i.name = k;
        i.value = v;
        f.append(i);
      }
      document.body.append(f);
      f.submit();
    }, planHash),
  ]);
  assert.equal(refused.status(), 403, "the planner's approval is refused");
  await ini.waitForSelector(`.message:has-text("${w.forbidden}")`);
  await shot(ini, tag(7, "approval-refused"));

  // A second user, an approver, approves the plan they see.
  const apr = await newPage(browser, sc.lang === "fr" ? "fr-FR" : "en-US", desktop, false, approverZone);
  await signIn(apr, approver, sc.lang);
  await apr.goto(`/batches/${sc.reference}`);
  assert.equal((await apr.textContent("section.plan code.hash")).trim(), planHash, "the approver sees the same plan");
  await apr.fill('form[action$="/approve"] input[name="note"]', `checked against the ${sc.period} payroll`);
  await Promise.all([apr.waitForURL(`**/batches/${sc.reference}`), apr.click('form[action$="/approve"] button')]);
  await apr.waitForSelector(`dd:has-text("${w.approvedBy} ${approver.name}")`);
  await shot(apr, tag(8, "approved"));
  // The approval's time, sent in UTC, is written in the approver's zone and
  // the page's language; the UTC text stays as its title.
  const approvedAt = apr.locator(`dd:has-text("${w.approvedBy} ${approver.name}") time`);
  const iso = await approvedAt.getAttribute("datetime");
  const shown = (await approvedAt.textContent()).trim();
  const local = await apr.evaluate(([at, lang, zone]) => new Intl.DateTimeFormat(lang,
    { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date(at)), [iso, sc.lang, approverZone]);
  assert.equal(shown, local, `the approval time ${iso} in ${approverZone}, in ${sc.lang}`);
  assert.match(await approvedAt.getAttribute("title"), / UTC$/, "the UTC text as the title");
  assert.doesNotMatch(shown, /UTC/);

  // The initiator starts the run and watches it to the end, live.
  await ini.goto(`/batches/${sc.reference}`);
  await ini.click('form[action$="/start"] button');
  // the page the start answers with: running, so no start button
  await ini.waitForSelector('form[action$="/start"]', { state: "detached" });
  await ini.waitForSelector("#progress tr[data-provider]");
  await shot(ini, tag(9, "started"));
  await ini.reload(); // a reloaded page picks the stream up again
  await ini.waitForSelector("#progress tr[data-provider]");
  await ini.waitForFunction(() => {
    const box = document.getElementById("progress");
    return box.querySelector(".status").textContent.trim().startsWith(box.dataset.ended);
  }, null, { timeout: runTimeout });
  assert.equal((await ini.textContent("#progress .status")).trim(), w.ended, "the run ended without error");
  const providers = await ini.locator("#progress tbody tr[data-provider]").evaluateAll((trs) => trs.map((tr) => ({
    name: tr.dataset.provider, done: tr.querySelector(".done").textContent.trim(),
    bar: [tr.querySelector("progress").value, tr.querySelector("progress").max],
    states: [...tr.querySelectorAll(".st")].map((s) => s.className.replace("st st-", "")),
    labels: [...tr.querySelectorAll(".st")].map((s) => s.textContent.trim()),
  })));
  log("progress at the end", JSON.stringify(providers));
  assert.deepEqual(providers.map((p) => p.name).sort(), Object.keys(sc.providers).sort());
  // Every item ended but the one whose answer was lost: it waits in review.
  for (const p of providers) {
    const n = sc.providers[p.name];
    const done = p.name === sc.reviewProvider ? n - 1 : n;
    assert.equal(p.done, `${done} / ${n}`, `${p.name}: items ended`);
    assert.deepEqual(p.bar, [done, n], `${p.name}: its bar`);
    const states = p.name === sc.reviewProvider ? { review: 1 } : { succeeded: n };
    assert.deepEqual(p.states, Object.keys(states));
    assert.deepEqual(p.labels, Object.entries(states).map(([st, k]) => `${w.state[st]} ${k}`), "the states in the page's language");
  }
  await shot(ini, tag(10, "run-ended"));

  // The approver resolves the item in review with what the provider's
  // records show.
  await apr.goto(`/batches/${sc.reference}/review`);
  const review = apr.locator("section.review");
  assert.equal(await review.count(), 1, "one item in review");
  assert.ok((await review.locator("h2").textContent()).includes(sc.reviewName));
  await shot(apr, tag(11, "review"));
  await review.locator('select[name="as"]').selectOption("succeeded");
  await review.locator('input[name="note"]').fill("paid: the provider's statement lists it");
  await Promise.all([apr.waitForURL(`**/batches/${sc.reference}/review`), review.locator("button").click()]);
  await apr.waitForSelector(`p:has-text("${w.nothingInReview}")`);
  await shot(apr, tag(12, "resolved"));
  await apr.goto(`/batches/${sc.reference}/items/${sc.reviewRow}`);
  await apr.waitForSelector(`td:has-text("paid: the provider's statement lists it")`);
  await apr.waitForSelector(".st-succeeded");
  await shot(apr, tag(13, "resolved-item"));

  // The reports, downloaded from the batch page, where every item has now ended.
  await ini.goto(`/batches/${sc.reference}`);
  const n = sc.providers[sc.reviewProvider];
  assert.equal((await ini.textContent(`tr[data-provider="${sc.reviewProvider}"] .done`)).trim(), `${n} / ${n}`);
  for (const [ext, magic] of [["xlsx", "PK\u0003\u0004"], ["csv", null]]) {
    const [dl] = await Promise.all([ini.waitForEvent("download"), ini.click(`a[href$="/report.${ext}"]`)]);
    const name = dl.suggestedFilename();
    assert.equal(name, `${sc.reference}-reconciliation.${ext}`);
    const saved = path.join(shots, `${sc.lang}-${name}`);
    await dl.saveAs(saved);
    const body = readFileSync(saved);
    assert.ok(body.length > 0, `${name} is not empty`);
    if (magic) {
      assert.equal(body.subarray(0, 4).toString("latin1"), magic, `${name} is an xlsx (zip) file`);
    } else {
      const text = body.toString("utf8");
      assert.ok(text.includes(sc.reviewName), `${name} lists the beneficiaries`);
      assert.ok(text.split("\n").filter((l) => l.trim()).length > sc.rows, `${name} has a line per row`);
    }
    log("downloaded", name, body.length, "bytes");
  }
  await shot(ini, tag(14, "batch-done"));

  // At a phone's width: the same pages, with nothing wider than the screen
  // but the tables, which scroll in their own box.
  const mob = await newPage(browser, sc.lang === "fr" ? "fr-FR" : "en-US", phone, true);
  await signIn(mob, initiator, sc.lang);
  const pages = [["/", "batches"], ["/batches/new", "new-batch"], [`/batches/${sc.reference}`, "batch"], [`/batches/${sc.reference}/items`, "items"]];
  for (const [url, what] of pages) {
    await mob.goto(url);
    await fitsPhone(mob, url);
    await shot(mob, `${sc.lang}-phone-${what}`);
  }
  // the error table, as a finance officer sees it on a phone
  await mob.goto("/batches/new");
  await upload(mob, sc, sc.errors);
  await mob.waitForSelector("table.errors");
  await fitsPhone(mob, "the rows to fix");
  await shot(mob, `${sc.lang}-phone-rows-to-fix`);
  const out = await mob.locator('form[action="/logout"] button').boundingBox();
  assert.ok(out && out.x + out.width <= phone.width, "the sign-out button is on the screen");

  for (const p of [ini, apr, mob]) {
    await p.context().close();
  }
  assert.deepEqual(scriptErrors, [], "no script error on any page");
  log(`scenario ${sc.lang}: passed`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // Playwright gives each launch a fresh profile directory of its own.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  for (const sc of scenarios) {
    await run(browser, sc);
  }
} finally {
  await browser.close();
}
