// The practitioner's whole way through, in real headless Chromium
// (Debian's chromium, puppeteer-core), as issue 14 asks to check it: for
// each holder at its width (390x844, a phone; 1280x900, a desktop):
// activation with the code from the letter -> set a password -> /my/
// shows exactly what `summary` computes -> download the certificate's PDF
// (a real download) and compare its SHA-256 with the one the issuer
// recorded -> make a 7-day share code -> open /s/<code> in a fresh
// browser context (incognito: no cookie of the holder) -> withdraw the
// code -> that context's reload says withdrawn. Screenshots to $OUT.
// Run by tests/e2e/browser_my_flow.sh, which prepares the data and
// writes the expected values to $EXPECT (JSON).
//
// Environment: CHROME, BASE (http://127.0.0.1:PORT), EXPECT, OUT.
'use strict';
const puppeteer = require('puppeteer-core');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`my_flow.js: ${k} is not set`);
  return v;
};
const BASE = env('BASE'), OUT = env('OUT'), CHROME = env('CHROME');
const EXPECT = JSON.parse(fs.readFileSync(env('EXPECT'), 'utf8'));

let failed = 0;
const ok = (cond, what, why) => {
  if (cond) console.log(`ok - ${what}`);
  else {
    failed++;
    console.log(`not ok - ${what}`);
    if (why !== undefined) console.log(`# ${String(why).split('\n').join('\n# ')}`);
  }
  return cond;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Watches a page for script errors and failed loads.
function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4[01][04]/.test(m.text()))
      errors.push(m.text());
  });
}

async function clickNav(page, selector) {
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click(selector),
  ]);
  return resp;
}

// Nothing wider than the viewport (the phone must not scroll sideways).
async function fits(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <=
    window.innerWidth + 1);
}

async function holder(browser, h) {
  const w = h.width, ht = w === 390 ? 844 : 900, tag = `${h.tag}-${w}`;
  const shot = (n) => path.join(OUT, `${n}-${w}.png`);
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  const errors = [];
  watch(page, errors);
  await page.setViewport({ width: w, height: ht });
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'zh-CN' });

  // 1. Activation: the letter's URL, the ID number, the code, a password.
  let resp = await page.goto(`${BASE}/my/activate`, { waitUntil: 'load' });
  ok(resp.status() === 200, `${tag}: /my/activate answers 200`, resp.status());
  await page.type('input[name=id]', h.id);
  await page.type('input[name=code]', h.code);
  await page.type('input[name=password]', h.password);
  await page.type('input[name=again]', h.password);
  ok(await fits(page), `${tag}: the activation form fits the screen`);
  await page.screenshot({ path: shot('1-activate'), fullPage: true });
  resp = await clickNav(page, 'main form button[type=submit]');
  ok(resp.status() === 200 && /\/my\/$/.test(page.url()),
    `${tag}: activated and signed in: /my/`, `${resp.status()} ${page.url()}`);

  // 2. /my/: exactly summary's numbers for every year summary counted.
  const cells = await page.evaluate(() => {
    const out = {};
    for (const tr of document.querySelectorAll('tr[id^="y"]')) {
      const m = /^y(\d{4})-(public|professional|total)$/.exec(tr.id);
      if (!m) continue;
      const got = tr.querySelector('.got'), req = tr.querySelector('.req');
      out[`${m[1]}-${m[2]}`] = [got && got.textContent.trim(),
        req && req.textContent.trim()];
    }
    return out;
  });
  // Every year on the page is summary's; every year summary counted a
  // record in is on the page.
  const shown = [...new Set(Object.keys(cells).map((k) => k.slice(0, 4)))];
  ok(Object.entries(h.summary).every(([y, s]) => !s.has || shown.includes(y)),
    `${tag}: /my/ shows every year with records (${shown.join(' ')})`);
  for (const y of shown) {
    const s = h.summary[y];
    if (!ok(s !== undefined, `${tag}: /my/ ${y} is a year summary was asked for`))
      continue;
    for (const k of ['public', 'professional', 'total']) {
      const c = cells[`${y}-${k}`] || [];
      ok(c[0] === s[k] && c[1] === s.requirement[k],
        `${tag}: /my/ ${y} ${k} ${c[0]} of ${c[1]} == summary's ${s[k]} of ${s.requirement[k]}`,
        JSON.stringify(c));
    }
  }
  ok(await page.evaluate((n) => document.body.innerText.includes(n), h.name),
    `${tag}: /my/ names the holder`);
  ok(await fits(page), `${tag}: /my/ fits the screen`);
  await page.screenshot({ path: shot('2-my'), fullPage: true });

  // 3. The PDF: a real download from /my/certs; its SHA-256 is the one
  // the issuer recorded.
  resp = await page.goto(`${BASE}/my/certs`, { waitUntil: 'load' });
  ok(resp.status() === 200, `${tag}: /my/certs answers 200`, resp.status());
  await page.screenshot({ path: shot('3-certs'), fullPage: true });
  const dl = path.join(OUT, `download-${tag}`);
  fs.rmSync(dl, { recursive: true, force: true });
  fs.mkdirSync(dl, { recursive: true });
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow',
    downloadPath: dl, browserContextId: ctx.id, eventsEnabled: true });
  const link = `a[href="/my/certs/${h.serial}.pdf"]`;
  ok(await page.$(link) !== null, `${tag}: /my/certs links ${h.serial}.pdf`);
  await page.click(link);
  let file = null;
  for (let i = 0; i < 100 && !file; i++) {
    await sleep(100);
    file = fs.readdirSync(dl).find((f) => f.endsWith('.pdf'));
  }
  ok(file === `${h.serial}.pdf`, `${tag}: the download is ${h.serial}.pdf`, file);
  if (file) {
    const sha = crypto.createHash('sha256')
      .update(fs.readFileSync(path.join(dl, file))).digest('hex');
    ok(sha === h.sha256, `${tag}: its SHA-256 is the recorded one`,
      `${sha} vs ${h.sha256}`);
  }

  // 4. A 7-day share code of that certificate.
  resp = await page.goto(`${BASE}/my/share`, { waitUntil: 'load' });
  ok(resp.status() === 200, `${tag}: /my/share answers 200`, resp.status());
  await page.$$eval('input[name=serial]', (xs, s) => xs.forEach((x) => {
    x.checked = x.value === s;
  }), h.serial);
  await page.click('input[name=days][value="7"]');
  ok(await fits(page), `${tag}: the share form fits the screen`);
  await page.screenshot({ path: shot('4-share-form'), fullPage: true });
  resp = await clickNav(page, 'form[action="/my/share"] button[type=submit]');
  const code = await page.evaluate(() => {
    const a = document.querySelector('a[href^="/s/"][href$="/qr.png"]');
    return a ? a.getAttribute('href').split('/')[2] : null;
  });
  ok(resp.status() === 200 && /^[0-9A-Z]{16}$/.test(code || ''),
    `${tag}: a 16-character share code`, `${resp.status()} ${code}`);
  ok(await page.evaluate(() => /7 天/.test(document.body.innerText)),
    `${tag}: valid for 7 days`);
  await page.screenshot({ path: shot('5-share-code'), fullPage: true });

  // 5. A committee opens it in a fresh context: no cookie of the holder.
  const anon = await browser.createBrowserContext();
  const other = await anon.newPage();
  watch(other, errors);
  await other.setViewport({ width: w, height: ht });
  await other.setExtraHTTPHeaders({ 'Accept-Language': 'zh-CN' });
  resp = await other.goto(`${BASE}/s/${code}`, { waitUntil: 'load' });
  const rep = await other.evaluate(() => document.body.innerText);
  ok(resp.status() === 200, `${tag}: /s/<code> in a fresh context answers 200`,
    resp.status());
  ok((await anon.cookies()).length === 0 ||
     !(await anon.cookies()).some((c) => c.name === 'hs_my'),
  `${tag}: ... with no session cookie there`);
  ok(rep.includes(h.serial) && rep.includes(h.name) && rep.includes('全部核验通过'),
    `${tag}: the report shows the holder, the certificate, every check passed`,
    rep.slice(0, 300));
  ok(h.met ? rep.includes('达标') && !rep.includes('未达标') : rep.includes('未达标'),
    `${tag}: ... and ${h.met ? '达标' : '未达标'} as summary says`);
  ok(/剩余 7 天/.test(rep), `${tag}: ... 7 days left`, rep.slice(0, 500));
  ok(!rep.includes(h.id), `${tag}: ... never the full ID number`);
  ok(await fits(other), `${tag}: the report fits the screen`);
  await other.screenshot({ path: shot('6-report'), fullPage: true });

  // 6. The holder withdraws it; the committee's reload says withdrawn.
  resp = await page.goto(`${BASE}/my/share`, { waitUntil: 'load' });
  const form = 'form[action$="/withdraw"] button[type=submit]';
  ok(await page.$(form) !== null, `${tag}: /my/share lists the code with a withdraw button`);
  resp = await clickNav(page, form);
  ok(resp.status() === 200 && /\/my\/share$/.test(page.url()),
    `${tag}: withdrawn, back on /my/share`, `${resp.status()} ${page.url()}`);
  ok(await page.evaluate(() => [...document.querySelectorAll('td.state')]
    .some((td) => td.textContent.includes('已撤回'))),
  `${tag}: the list says 已撤回`);
  await page.screenshot({ path: shot('7-withdrawn-list'), fullPage: true });
  resp = await other.reload({ waitUntil: 'load' });
  const gone = await other.evaluate(() => document.body.innerText);
  ok(resp.status() === 410 && gone.includes('分享码已撤回'),
    `${tag}: the fresh context's reload: 410, the page says withdrawn (分享码已撤回)`,
    `${resp.status()} ${gone.slice(0, 200)}`);
  ok(!gone.includes(h.serial) && !gone.includes(h.name),
    `${tag}: ... and shows nothing of the certificate any more`);
  ok(await fits(other), `${tag}: the withdrawn page fits the screen`);
  await other.screenshot({ path: shot('8-report-withdrawn'), fullPage: true });
  ok(errors.length === 0, `${tag}: no script error`, errors.join('\n'));
  await anon.close();
  await ctx.close();
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: CHROME,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync'],
  });
  try {
    for (const h of EXPECT.holders) await holder(browser, h);
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
  console.log(`not ok - my_flow.js ran to the end\n# ${String(e.stack || e).split('\n').join('\n# ')}`);
  process.exit(1);
});
