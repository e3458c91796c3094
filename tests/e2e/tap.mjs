// SPDX-License-Identifier: MIT
// The TAP output the end-to-end scripts share: t(name, fn) runs one check
// (async or not) and prints "ok N" or "not ok N" with the error's first
// lines; done() prints the plan and a "N passed, N failed" line and exits
// 1 when a check failed.
let n = 0, failed = 0;

export async function t(name, fn) {
  n++;
  try {
    await fn();
    console.log(`ok ${n} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    for (const l of String(e && e.stack || e).split('\n').slice(0, 12)) console.log(`#   ${l}`);
  }
}

export function done() {
  console.log(`1..${n}`);
  console.log(`${n - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
