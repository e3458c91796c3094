// SPDX-License-Identifier: MIT
// End-to-end tests of the MCP endpoint of `exectrail serve` (POST /mcp,
// Streamable HTTP) driven by the official TypeScript SDK clients: 1.x
// @modelcontextprotocol/sdk StreamableHTTPClientTransport (initialize,
// 2025-11-25) and 2.x @modelcontextprotocol/client pinned to 2026-07-28.
// Needs EXECTRAIL (the binary), T_DIR (scratch), MCP_URL (the endpoint) and
// the tokens TOKEN_ADMIN, TOKEN_READ, TOKEN_INGEST of the server's store
// (EXECTRAIL_HOME). Writes the id of the execution it records to
// T_DIR/http-exec-id. Prints TAP; exit status 1 on any failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as Http1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as Client2, StreamableHTTPClientTransport as Http2 } from '@modelcontextprotocol/client';
import Ajv from 'ajv';
import { t, done } from '../tap.mjs';

const BIN = process.env.EXECTRAIL;
const DIR = process.env.T_DIR;
const URL_ = new URL(process.env.MCP_URL);
const TOKENS = { admin: process.env.TOKEN_ADMIN, read: process.env.TOKEN_READ,
  ingest: process.env.TOKEN_INGEST };

const ajv = new Ajv({ strict: false, allErrors: true });
const tools = new Map();

function http1(token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  return new Http1(URL_, { requestInit: { headers } });
}

async function connect1(token, name = 'e2e-http-sdk1') {
  const c = new Client1({ name, version: '1.0.0' });
  await c.connect(http1(token));
  return c;
}

// call a tool, check it is not an error, validate structuredContent against
// the tool's outputSchema and the text block against structuredContent
async function call(c, name, args) {
  const r = await c.callTool({ name, arguments: args });
  assert.notEqual(r.isError, true, `${name} failed: ${JSON.stringify(r.content)}`);
  const tool = tools.get(name);
  if (tool) {
    const ok = ajv.validate(tool.outputSchema, r.structuredContent);
    assert.ok(ok, `${name}: output does not match its outputSchema: ${ajv.errorsText()}`);
  }
  assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent);
  return r.structuredContent;
}

// the promise fails with HTTP status `status` (the SDK's StreamableHTTPError
// code), its message matching re
async function rejectsWith(promise, status, re = /./) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, status, `status: ${e}`);
    assert.match(String(e.message), re);
    return true;
  });
}

function show(id) {
  return JSON.parse(execFileSync(BIN, ['show', '--json', id], { encoding: 'utf8' }));
}

async function listAll(c) {
  const all = [];
  let cursor;
  do {
    const r = await c.listTools(cursor ? { cursor } : {});
    all.push(...r.tools);
    cursor = r.nextCursor;
  } while (cursor);
  return all;
}

// ---------------- 1.x client, 2025-11-25 ----------------
let c1;
await t('sdk 1.x over HTTP: initialize with a token; no session id is issued', async () => {
  c1 = await connect1(TOKENS.admin);
  assert.equal(c1.getServerVersion().name, 'exectrail');
  assert.ok(c1.getServerCapabilities().tools);
  assert.equal(c1.transport.sessionId, undefined);
  assert.deepEqual(await c1.ping(), {});
});
await t('tools/list over HTTP: the same tools as over stdio, schemas valid', async () => {
  const viaHttp = await listAll(c1);
  for (const tool of viaHttp) {
    ajv.compile(tool.inputSchema);
    ajv.compile(tool.outputSchema);
    tools.set(tool.name, tool);
  }
  const s = new Client1({ name: 'e2e-stdio', version: '1.0.0' });
  await s.connect(new Stdio1({ command: BIN, args: ['mcp'], stderr: 'pipe', env: { ...process.env } }));
  try {
    assert.deepEqual(viaHttp, await listAll(s));
  } finally {
    await s.close();
  }
  for (const name of ['execution_start', 'execution_log_action', 'execution_complete',
    'get_execution', 'add_memory', 'search_memory_facts'])
    assert.ok(tools.has(name), `missing tool ${name}`);
});

let id;
await t('execution_start, execution_log_action, execution_complete over HTTP', async () => {
  const s = await call(c1, 'execution_start', {
    session_id: 'sess-http',
    main_agent_context: { user_request: 'tidy the HTTP handlers', expected_outcome: 'tests pass' },
    agent_metadata: { name: 'http-agent', version: 'v1', tools_available: ['Edit', 'Bash'] },
  });
  id = s.execution_id;
  assert.match(id, /^[0-9a-f-]{36}$/);
  const a = await call(c1, 'execution_log_action', { execution_id: id, actions: [
    { tool: 'Edit', action: 'split handler', input: 'src/http/api.c', output: 'ok', success: true },
    { tool: 'Bash', action: 'run tests', input: 'make test', output: '1 failed', success: false, error: 'exit 2' }] });
  assert.equal(a.recorded, 2);
  const done = await call(c1, 'execution_complete', { execution_id: id,
    verification: { status: 'PARTIAL', expected_vs_actual: 'one test fails' } });
  assert.equal(done.verification.status, 'PARTIAL');
  writeFileSync(`${DIR}/http-exec-id`, id);
});
await t('get_execution over HTTP equals exectrail show --json', async () => {
  const rec = await call(c1, 'get_execution', { execution_id: id });
  assert.deepEqual(rec, show(id));
  assert.equal(rec.execution.actions_taken.length, 2);
  assert.equal(rec.verification.status, 'PARTIAL');
});

// the spec's graphiti-memory calls, as its Python makes them
const EID = '5c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e';
const context = {
  execution_id: EID, session_id: 'main-session-http',
  timestamp_start: '2025-01-16T10:30:00.123456',
  user_request: 'Rotate the API keys', selected_agent: 'ops-agent',
  selection_reasoning: 'ops work', expected_outcome: 'new keys in use',
  risk_factors: ['credential leakage'],
};
await t('spec: add_memory "Execution Start" and "Execution Complete" over HTTP', async () => {
  const r = await call(c1, 'add_memory', {
    name: `Execution Start: ${EID}`, episode_body: JSON.stringify(context), source: 'json',
    source_description: 'Pre-delegation execution context', group_id: 'execution_tracking' });
  assert.match(r.result.message, /recorded as execution/);
  await call(c1, 'add_memory', {
    name: `Execution Complete: ${EID}`,
    episode_body: JSON.stringify({ ...context, timestamp_end: '2025-01-16T10:40:00.000000',
      subagent_response: { actual_outcome: 'rotated',
        files_modified: ['config/credentials.yaml'], api_calls_made: ['aws: rotate key'] },
      verification: { status: 'MISMATCH', expected_vs_actual: 'old key still used' },
      quality_metrics: { completeness: 'LOW', accuracy: 'LOW', efficiency: 'HIGH' } }),
    source: 'json', source_description: 'Complete execution record', group_id: 'execution_tracking' });
  const rec = show(EID);
  assert.equal(rec.verification.status, 'MISMATCH');
  assert.equal(rec.agent_metadata.name, 'ops-agent');
});
for (const [query, field] of [['duration_ms > 300000', 'duration_ms'],
  ['verification status ERROR MISMATCH', 'verification.status'],
  ['files_modified secrets auth credentials config', 'output.files_modified[0]']]) {
  await t(`spec: search_memory_facts "${query}" over HTTP`, async () => {
    const r = await call(c1, 'search_memory_facts', { query, group_ids: ['execution_tracking'] });
    const f = r.result.facts.find((x) => x.execution_id === EID && x.field === field);
    assert.ok(f, `no fact for ${field}: ${JSON.stringify(r.result.facts)}`);
  });
}
await t('errors keep their shape: isError tool results, -32602 for an unknown tool', async () => {
  const r = await c1.callTool({ name: 'get_execution', arguments: {} });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /execution_id/);
  await assert.rejects(c1.callTool({ name: 'no_such_tool', arguments: {} }), /no_such_tool/);
});
await c1.close();

// ---------------- tokens ----------------
await t('no token: the SDK client is refused with 401', async () => {
  await rejectsWith(connect1(undefined), 401, /API token/);
});
await t('a wrong token: 401', async () => {
  await rejectsWith(connect1('etk_0000000000000000_' + '0'.repeat(48)), 401, /unknown/);
});
await t('a read token lists and reads, and may not write (403)', async () => {
  const c = await connect1(TOKENS.read, 'e2e-read');
  try {
    assert.ok((await c.listTools()).tools.length > 0);
    await call(c, 'get_execution', { execution_id: id });
    await rejectsWith(c.callTool({ name: 'execution_start', arguments: {
      session_id: 's', agent_metadata: { name: 'x' } } }), 403, /-32000.*ingest scope/);
  } finally {
    await c.close();
  }
});
await t('an ingest token writes, and may not read (403)', async () => {
  const c = await connect1(TOKENS.ingest, 'e2e-ingest');
  try {
    const s = await call(c, 'execution_start', { session_id: 'sess-ingest',
      agent_metadata: { name: 'ingest-agent' } });
    assert.equal(show(s.execution_id).agent_metadata.name, 'ingest-agent');
    await rejectsWith(c.callTool({ name: 'query_executions', arguments: { query: '' } }),
      403, /-32000.*read scope/);
  } finally {
    await c.close();
  }
});

// ---------------- 2.x client, 2026-07-28 ----------------
await t('client 2.x pinned to 2026-07-28 over HTTP: discover and tools', async () => {
  const c2 = new Client2({ name: 'e2e-http-client2', version: '2.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await c2.connect(new Http2(URL_, { requestInit: { headers: { Authorization: `Bearer ${TOKENS.admin}` } } }));
  try {
    assert.equal(c2.getNegotiatedProtocolVersion(), '2026-07-28');
    const d = await c2.discover();
    assert.ok(d.supportedVersions.includes('2026-07-28'));
    const r = await c2.callTool({ name: 'get_execution', arguments: { execution_id: id } });
    assert.deepEqual(r.structuredContent, show(id));
  } finally {
    await c2.close();
  }
});

done();
