// SM2/SM3 note signatures (docs/formats.md §5) checked with sm-crypto from
// npm, an implementation independent of OpenSSL and of gmsm. Run with
// NODE_PATH=tests/browser/node_modules.
//
//   node sm2.js verify VKEY NOTEFILE [UID]   exit 0 if VKEY's signature
//       line verifies (doVerifySignature, hash: true, userId UID, default
//       1234567812345678); 1 if not
//   node sm2.js sign NAME TEXTFILE [UID]     a fresh key signs TEXTFILE
//       (doSignature); prints the public point (hex) on the first line,
//       then the signed note
//
// The framing and key encoding are written here from the format's text:
// K = 0xff || DER OID 1.2.156.10197.1.501 || 04 X Y, key ID =
// SHA-256(name || 0x0A || K)[:4], signature line base64(keyID || r || s).
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { sm2 } = require('sm-crypto');

const TAG = Buffer.from('ff06082a811ccf55018375', 'hex');
const keyID = (name, k) => crypto.createHash('sha256')
  .update(Buffer.concat([Buffer.from(name + '\n'), k])).digest().subarray(0, 4);

function verify(vkey, file, uid) {
  const [name, id, b64] = [vkey.split('+')[0], vkey.split('+')[1], vkey.split('+').slice(2).join('+')];
  const k = Buffer.from(b64, 'base64');
  if (k.length !== TAG.length + 65 || !k.subarray(0, TAG.length).equals(TAG)) {
    console.error('not an SM2 verifier key'); return 2;
  }
  if (keyID(name, k).toString('hex') !== id) { console.error('key ID does not match'); return 2; }
  const pub = k.subarray(TAG.length).toString('hex');
  const msg = fs.readFileSync(file);
  const i = msg.lastIndexOf('\n\n');
  if (i < 0) { console.log('invalid: no blank line'); return 1; }
  const text = msg.subarray(0, i + 1);
  let found = false;
  for (const line of msg.subarray(i + 2).toString('utf8').split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const raw = Buffer.from(m[2], 'base64');
    if (raw.length !== 68 || raw.subarray(0, 4).toString('hex') !== id) continue;
    found = true;
    const ok = sm2.doVerifySignature(Array.from(text), raw.subarray(4).toString('hex'), pub,
      { hash: true, userId: uid, der: false });
    if (!ok) { console.log(`invalid: sm-crypto doVerifySignature with userId "${uid}" fails`); return 1; }
  }
  if (!found) { console.log('invalid: no signature by this key'); return 1; }
  console.log(`verified ${name}+${id} with sm-crypto, userId "${uid}"`);
  return 0;
}

function sign(name, file, uid) {
  const text = fs.readFileSync(file);
  const kp = sm2.generateKeyPairHex();
  const pt = Buffer.from(kp.publicKey, 'hex');
  const k = Buffer.concat([TAG, pt]);
  const rs = sm2.doSignature(Array.from(text), kp.privateKey,
    { hash: true, publicKey: kp.publicKey, userId: uid, der: false });
  const sig = Buffer.concat([keyID(name, k), Buffer.from(rs, 'hex')]);
  process.stdout.write(`${kp.publicKey}\n${text.toString('utf8')}\n\u2014 ${name} ${sig.toString('base64')}\n`);
  return 0;
}

const [cmd, a, b, uid = '1234567812345678'] = process.argv.slice(2);
if (cmd === 'verify') process.exit(verify(a, b, uid));
if (cmd === 'sign') process.exit(sign(a, b, uid));
console.error('usage: sm2.js verify VKEY NOTEFILE [UID] | sign NAME TEXTFILE [UID]');
process.exit(2);
