// The 验印 console in real headless Chromium (Debian's chromium, driven by
// puppeteer-core): invitation -> set password -> enrol TOTP -> sign in ->
// stamp -> reject with a reason -> withdraw and correct -> reissue
// --dry-run -> reissue -> the audit page shows each step. Screenshots of
// the queue, a record page and the audit page at 1280 and 390 CSS pixels go
// to $OUT. Run by tests/e2e/browser_console.sh, which prepares the data
// directory and starts the service; prints "ok - " / "not ok - " lines.
//
// Environment: CHROME (the browser), BASE (http://127.0.0.1:PORT), INVITE
// (the invitation URL `user add` printed), ACCOUNT, ISSUER (the
// hourseal-issuer binary), DATA (its data directory), OUT (screenshots),
// PDFS (issue's --out directory).
'use strict';
const puppeteer = require('puppeteer-core');
const { execFileSync } = require('child_process');
const path = require('path');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`console.js: ${k} is not set`);
  return v;
};
const BASE = env('BASE'), INVITE = env('INVITE'), ACCOUNT = env('ACCOUNT');
const ISSUER = env('ISSUER'), DATA = env('DATA'), OUT = env('OUT');
const PDFS = env('PDFS'), CHROME = env('CHROME');
const PASSWORD = 'Kq7-海风-correct-horse';

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

// The issuer CLI on the same data directory; returns stdout + stderr.
const cli = (...args) => {
  try {
    return execFileSync(ISSUER, ['--data', DATA, ...args],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return `EXIT ${e.status}\n${e.stdout}${e.stderr}`;
  }
};

// A TOTP code for secret at now + ahead seconds (oathtool, RFC 6238).
const totp = (secret, ahead) => execFileSync('oathtool',
  ['--totp', '-b', `--now=@${Math.floor(Date.now() / 1000) + ahead}`, secret],
  { encoding: 'utf8' }).trim();

async function main() {
  const browser = await puppeteer.launch({
    executablePath: CHROME,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--lang=zh-CN'],
  });
  const page = await browser.newPage();
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'zh-CN,zh' });
  await page.setViewport({ width: 1280, height: 900 });
  // No page needs JavaScript: it stays off, as for the most careful user.
  await page.setJavaScriptEnabled(false);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  const text = () => page.$eval('body', (b) => b.innerText);
  const html = () => page.content();
  // Submits the form that holds selector's button, waiting for the answer.
  const click = async (selector) => {
    const [resp] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.click(selector),
    ]);
    return resp;
  };
  const shot = async (name) => {
    for (const w of [1280, 390]) {
      await page.setViewport({ width: w, height: w === 390 ? 844 : 900,
        deviceScaleFactor: w === 390 ? 2 : 1 });
      await page.screenshot({ path: path.join(OUT, `${name}-${w}.png`),
        fullPage: true });
      // Nothing wider than the window: no sideways scrolling.
      const wide = await page.evaluate(() =>
        document.documentElement.scrollWidth - window.innerWidth);
      ok(wide <= 0, `${name} at ${w} px has no horizontal overflow`,
        `${wide} px too wide`);
    }
    await page.setViewport({ width: 1280, height: 900 });
  };

  // 1. The invitation: set a password.
  const inviteUrl = BASE + new URL(INVITE).pathname;
  let resp = await page.goto(inviteUrl, { waitUntil: 'load' });
  ok(resp.status() === 200, 'the invitation page opens', resp.status());
  ok(/no-store/.test(resp.headers()['cache-control'] || ''),
    'the invitation page is no-store');
  const pw = await page.$$('input[type=password]');
  ok(pw.length >= 1, 'it asks for a password');
  for (const f of pw) await f.type(PASSWORD);
  resp = await click('form button[type=submit], form input[type=submit]');
  ok(resp.status() < 400, 'the password is set', await text());

  // 2. TOTP enrolment: the secret is on the page (as text beside the QR).
  if (!/totp/.test(page.url())) {
    // Signed in with the password only: enrolment is the next page.
    resp = await page.goto(`${BASE}/admin/totp`, { waitUntil: 'load' });
  }
  let body = await text();
  const m = body.match(/secret=([A-Z2-7]{16,})/) ||
    body.match(/\b([A-Z2-7]{4}(?: ?[A-Z2-7]{4}){3,})\b/);
  ok(m !== null, 'the enrolment page shows the TOTP secret', body);
  const secret = m ? m[1].replace(/ /g, '') : '';
  await page.type('input[name=code]', totp(secret, 0));
  resp = await click('form button[type=submit]');
  ok(resp.status() < 400, 'TOTP enrolment confirmed', await text());

  // 3. Sign in (a fresh code: the enrolment's cannot be used twice).
  resp = await page.goto(`${BASE}/admin/signin`, { waitUntil: 'load' });
  if (await page.$('input[name=password]')) {
    await page.type('input[name=name]', ACCOUNT);
    await page.type('input[name=password]', PASSWORD);
    await page.type('input[name=code]', totp(secret, 30));
    resp = await click('form button[type=submit]');
  }
  ok(resp.status() < 400, 'signed in', await text());

  // 4. The queue: the records waiting in 3502 (not 福州's).
  resp = await page.goto(`${BASE}/admin/records`, { waitUntil: 'load' });
  ok(resp.status() === 200, 'the queue opens');
  ok(/no-store/.test(resp.headers()['cache-control'] || ''),
    'the queue is no-store');
  body = await text();
  ok(/李四/.test(body) && /王五/.test(body), 'the queue lists the 厦门 records');
  ok(!/福州医院/.test(body), 'not the 福州 one (out of scope)');
  ok(!/\d{17}[\dX]/.test(body), 'no whole ID number on the page');
  ok(/3502\*+/.test(body), 'masked ID numbers');
  await shot('console-queue');

  // Stamp R1, R2, R4, R5: tick their boxes, press 验印所选.
  const ids = await page.$$eval('input[type=checkbox][name=id]',
    (bs) => bs.map((b) => [b.value, b.closest('tr').innerText]));
  const byRef = (ref) => (ids.find(([, t]) => t.includes(ref)) || [])[0];
  for (const ref of ['R1', 'R2', 'R4', 'R5'])
    await page.click(`input[type=checkbox][name=id][value="${byRef(ref)}"]`);
  resp = await click('button[name=do][value=stamp]');
  body = await text();
  ok(resp.status() === 200 && /已验印 4 条/.test(body), 'stamped 4 records',
    body);

  // Reject R3 with a reason.
  await page.click(`input[type=checkbox][name=id][value="${byRef('R3')}"]`);
  await page.type('textarea[name=reason]', '材料不全：缺少签到表');
  resp = await click('button[name=do][value=reject]');
  body = await text();
  ok(/已退回 1 条/.test(body), 'rejected R3 with a reason', body);

  // Certificates for the year, from the CLI on the same data directory.
  let out = cli('issue', '--year', '2024', '--all', '--out', PDFS);
  ok(/2 issued/.test(out), 'issue: 2 certificates', out);

  // 5. R2's page: withdraw it, correct it, stamp it again.
  const r2 = byRef('R2');
  resp = await page.goto(`${BASE}/admin/records/${r2}`, { waitUntil: 'load' });
  ok(resp.status() === 200, "R2's page opens");
  await page.type('form[action$="/withdraw"] textarea[name=reason]',
    '学时登记有误');
  resp = await click('form[action$="/withdraw"] button[type=submit]');
  body = await text();
  ok(/已撤回/.test(body), 'R2 withdrawn', body);
  const hours = await page.$('form[action$="/correct"] input[name=hours]');
  await hours.click({ clickCount: 3 });
  await hours.type('36');
  await page.type('form[action$="/correct"] textarea[name=reason]',
    '按签到表更正学时');
  resp = await click('form[action$="/correct"] button[type=submit]');
  body = await text();
  ok(/待验印/.test(body) && /第 2 版|版本 2|v2/.test(body),
    'R2 corrected: version 2, waiting', body);
  resp = await click('form[action$="/stamp"] button[type=submit]');
  body = await text();
  ok(/已验印/.test(body), 'R2 stamped again', body);
  ok(/学时登记有误/.test(body) && /按签到表更正学时/.test(body),
    "R2's history shows the withdrawal and the correction with reasons");
  await shot('console-record');

  // 6. Reissue: the dry run names 李四 and R2 only; then the real one.
  out = cli('reissue', '--dry-run', '--year', '2024');
  ok(/李四/.test(out) && /R2/.test(out) && !/王五/.test(out),
    'reissue --dry-run names 李四 and R2, not 王五', out);
  out = cli('reissue', '--year', '2024', '--out', PDFS);
  ok(/李四/.test(out) && /superseded|替换/.test(out), 'reissue supersedes ' +
    "李四's certificate only", out);

  // 7. The audit page shows every step.
  resp = await page.goto(`${BASE}/admin/audit`, { waitUntil: 'load' });
  ok(resp.status() === 200, 'the audit page opens');
  body = await text();
  for (const a of ['account.password', 'account.totp', 'session.signin',
    'record.stamp', 'record.reject', 'record.withdraw', 'record.correct',
    'cert.issue', 'cert.supersede'])
    ok(body.includes(a), `the audit page shows ${a}`);
  ok(body.includes('材料不全：缺少签到表'), 'with the rejection reason');
  await shot('console-audit');

  ok(consoleErrors.length === 0, 'no errors in the browser console',
    consoleErrors.join('\n'));
  await browser.close();
}

main().catch((e) => {
  failed++;
  console.log(`not ok - console.js stopped: ${e.message}`);
  console.log(`# ${String(e.stack).split('\n').join('\n# ')}`);
}).finally(() => process.exit(failed ? 1 : 0));
