// Independent JWT implementation (npm "jose") for tests/crypto/jwt_jose_test.cpp.
//
//   node jwt_check.mjs verify <key:b64url> <token> <nowSeconds>
//       prints {"ok":true,"header":{...},"payload":{...}} or {"ok":false,"code":"ERR_..."}
//   node jwt_check.mjs sign <key:b64url> <header:b64url-json> <payload:b64url-json>
//       prints the compact token jose signs for that protected header and payload
//   node jwt_check.mjs unsecured <payload:b64url-json>
//       prints an alg "none" token
//
// Arguments are base64url so the C++ side can pass them through a shell unquoted.
import * as jose from 'jose';

const fromB64url = (s) => Buffer.from(s, 'base64url');
const json = (s) => JSON.parse(fromB64url(s).toString('utf8'));

const [command, ...args] = process.argv.slice(2);

if (command === 'verify') {
  const [key, token, now] = args;
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, fromB64url(key), {
      algorithms: ['HS256'],
      currentDate: new Date(Number(now) * 1000),
    });
    console.log(JSON.stringify({ ok: true, header: protectedHeader, payload }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, code: err.code ?? String(err) }));
  }
} else if (command === 'sign') {
  const [key, header, payload] = args;
  const token = await new jose.SignJWT(json(payload))
    .setProtectedHeader(json(header))
    .sign(fromB64url(key));
  console.log(token);
} else if (command === 'unsecured') {
  console.log(new jose.UnsecuredJWT(json(args[0])).encode());
} else {
  console.error(`unknown command: ${command}`);
  process.exit(2);
}
