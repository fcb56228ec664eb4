// The practitioner's own pages in real headless Chromium (Debian's
// chromium, puppeteer-core): sign in at /my/signin with the ID number and
// password, then /my/, /my/records, /my/certs and /my/notices at 390 and
// 1280 CSS pixels: nothing wider than the screen, the lists as cards on
// the phone and as tables on the desktop, no script error; the course
// certificate request from the records page; screenshots to $OUT. Run by
// tests/e2e/browser_my.sh, which prepares the data and the account.
//
// Environment: CHROME, BASE (http://127.0.0.1:PORT), IDNUM (the holder's
// ID number), PASSWORD, OUT (screenshots).
'use strict';
const puppeteer = require('puppeteer-core');
const path = require('path');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`my.js: ${k} is not set`);
  return v;
};
const BASE = env('BASE'), IDNUM = env('IDNUM'), PASSWORD = env('PASSWORD');
const OUT = env('OUT'), CHROME = env('CHROME');

let failed = 0;
const ok = (cond, what, why) => {
  if (cond) console.log(`ok - ${what}`);
  else {
    failed++;
    console.log(`not ok - ${what}`);
    if (why) console.log(`# ${String(why).split('\n').join('\n# ')}`);
  }
  return cond;
};

async function main() {
  const browser = await puppeteer.launch({
    executablePath: CHROME,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync'],
  });
  const page = await browser.newPage();
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'zh-CN' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Failed loads are checked by URL below (the browser asks for
  // /favicon.ico, which the service does not have).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 404/.test(m.text()))
      errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url()))
      errors.push(`${r.status()} ${r.url()}`);
  });
  const click = async (selector) => {
    const [resp] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.click(selector),
    ]);
    return resp;
  };

  await page.setViewport({ width: 390, height: 844 });
  let resp = await page.goto(`${BASE}/my/`, { waitUntil: 'load' });
  ok(/\/my\/signin$/.test(page.url()), '/my/ without a session shows the sign-in form',
    page.url());
  await page.type('input[name=id]', IDNUM);
  await page.type('input[name=password]', PASSWORD);
  resp = await click('main form button[type=submit]');
  ok(resp.status() === 200 && /\/my\/$/.test(page.url()),
    'signed in: /my/', `${resp.status()} ${page.url()}`);

  const pages = [['home', '/my/'], ['records', '/my/records'],
    ['certs', '/my/certs'], ['notices', '/my/notices']];
  for (const w of [390, 1280]) {
    await page.setViewport({ width: w, height: w === 390 ? 844 : 900 });
    for (const [name, p] of pages) {
      resp = await page.goto(`${BASE}${p}`, { waitUntil: 'load' });
      ok(resp.status() === 200, `${p} at ${w} px answers 200`, resp.status());
      const m = await page.evaluate(() => {
        const th = document.querySelector('table.list thead');
        const td = document.querySelector('table.list td');
        return {
          scroll: document.documentElement.scrollWidth,
          thead: th ? getComputedStyle(th).display : 'none',
          td: td ? getComputedStyle(td).display : '',
          h1: (document.querySelector('h1') || {}).textContent || '',
          nav: document.querySelectorAll('nav.console a').length,
        };
      });
      ok(m.scroll <= w, `${p} at ${w} px is no wider than the screen`,
        `scrollWidth ${m.scroll}`);
      ok(m.nav === 5, `${p} at ${w} px has the five /my/ links`, m.nav);
      if (name !== 'notices') {
        if (w === 390)
          ok(m.thead === 'none' && m.td === 'block',
            `${p} at 390 px shows the lists as cards`, JSON.stringify(m));
        else
          ok(m.thead !== 'none' && m.td === 'table-cell',
            `${p} at 1280 px shows the lists as tables`, JSON.stringify(m));
      }
      await page.screenshot({ path: path.join(OUT, `my-${name}-${w}.png`),
        fullPage: true });
    }
  }
  ok(errors.length === 0, 'no script error or failed load', errors.join('\n'));

  // The request button on the records page, as a person uses it.
  await page.setViewport({ width: 390, height: 844 });
  await page.goto(`${BASE}/my/records`, { waitUntil: 'load' });
  const forms = await page.$$('form[action="/my/certs/request"] button');
  ok(forms.length > 0, 'the records page offers a course certificate', forms.length);
  if (forms.length > 0) {
    resp = await click('form[action="/my/certs/request"] button');
    ok(resp.status() === 200, 'requesting it answers 200', resp.status());
    const link = await page.$eval('a.cert', (a) => a.getAttribute('href'))
      .catch(() => '');
    ok(/^\/my\/certs\/\d{4}-/.test(link), 'with a link to the certificate', link);
    resp = await page.goto(`${BASE}${link}.pdf`).catch((e) => e);
    // A download: Chromium aborts the navigation; the status is checked
    // by my_pages.sh with curl.
  }
  await browser.close();
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`not ok - the browser test ran: ${e.message}`);
  process.exit(1);
});
