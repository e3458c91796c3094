// SPDX-License-Identifier: MIT
// End-to-end tests of `exectrail mcp` driven by the official MCP TypeScript
// SDK clients: @modelcontextprotocol/sdk 1.x (initialize, 2025-11-25) and
// @modelcontextprotocol/client 2.x (pinned to 2026-07-28: server/discover,
// per-request _meta; and its legacy mode). Needs EXECTRAIL (the binary) and
// T_DIR (a scratch directory). Prints TAP; exit status 1 on any failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as Client2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import Ajv from 'ajv';
import { t, done } from '../tap.mjs';

const BIN = process.env.EXECTRAIL;
const DIR = process.env.T_DIR;
const DB = `${DIR}/mcp.db`;

const ajv = new Ajv({ strict: false, allErrors: true });
const tools = new Map();

function params() {
  return { command: BIN, args: ['--db', DB, 'mcp'], stderr: 'pipe',
           env: { ...process.env, EXECTRAIL_DB: '' } };
}

// call a tool, check it is not an error, validate structuredContent against
// the tool's outputSchema and the text block against structuredContent
async function call(c, name, args) {
  const r = await c.callTool({ name, arguments: args });
  assert.notEqual(r.isError, true, `${name} failed: ${JSON.stringify(r.content)}`);
  assert.equal(typeof r.structuredContent, 'object');
  const tool = tools.get(name);
  if (tool) {
    const ok = ajv.validate(tool.outputSchema, r.structuredContent);
    assert.ok(ok, `${name}: output does not match its outputSchema: ${ajv.errorsText()}`);
  }
  assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent);
  return r.structuredContent;
}

async function callErr(c, name, args, words) {
  const r = await c.callTool({ name, arguments: args });
  assert.equal(r.isError, true, `${name} should fail: ${JSON.stringify(r)}`);
  const text = r.content.map((b) => b.text).join(' ');
  for (const w of words) assert.ok(text.includes(w), `'${w}' not in '${text}'`);
  return text;
}

function show(id) {
  return JSON.parse(execFileSync(BIN, ['--db', DB, 'show', '--json', id], { encoding: 'utf8' }));
}

execFileSync(BIN, ['--db', DB, 'init'], { stdio: 'ignore' });

// ---------------- 1.x client, 2025-11-25 ----------------
const c1 = new Client1({ name: 'e2e-sdk1', version: '1.0.0' });
await t('sdk 1.x: initialize handshake', async () => {
  await c1.connect(new Stdio1(params()));
  assert.equal(c1.getServerVersion().name, 'exectrail');
  assert.ok(c1.getServerCapabilities().tools);
  assert.ok(c1.getServerCapabilities().logging);
});
await t('sdk 1.x: ping and logging/setLevel', async () => {
  assert.deepEqual(await c1.ping(), {});
  await c1.setLoggingLevel('debug');
  await assert.rejects(c1.request({ method: 'logging/setLevel', params: { level: 'loud' } },
    (await import('@modelcontextprotocol/sdk/types.js')).EmptyResultSchema), /level/);
});
await t('tools/list: paginated, every schema valid', async () => {
  let cursor, pages = 0;
  do {
    const r = await c1.listTools(cursor ? { cursor } : {});
    pages++;
    for (const tool of r.tools) {
      assert.ok(!tools.has(tool.name), `duplicate ${tool.name}`);
      assert.equal(tool.inputSchema.type, 'object');
      assert.equal(typeof tool.description, 'string');
      assert.equal(typeof tool.annotations.readOnlyHint, 'boolean');
      ajv.compile(tool.inputSchema);
      ajv.compile(tool.outputSchema);
      tools.set(tool.name, tool);
    }
    cursor = r.nextCursor;
  } while (cursor);
  assert.ok(pages > 1, 'expected more than one page');
  for (const name of ['execution_start', 'execution_delegate', 'execution_log_action',
    'execution_respond', 'execution_complete', 'get_execution', 'query_executions',
    'search_executions', 'similar_executions', 'report_daily', 'agent_performance',
    'insights', 'verify_ledger', 'inclusion_proof', 'add_memory', 'search_memory_facts',
    'add_episode', 'search_facts', 'search_nodes', 'search_memory_nodes', 'get_episodes',
    'delete_episode', 'clear_graph', 'execution_note', 'execution_score'])
    assert.ok(tools.has(name), `missing tool ${name}`);
  assert.equal(tools.get('get_execution').annotations.readOnlyHint, true);
  assert.equal(tools.get('execution_start').annotations.readOnlyHint, false);
  await assert.rejects(c1.listTools({ cursor: 'nonsense' }), /cursor/);
});

let id;
await t('lifecycle through the execution_* tools', async () => {
  const s = await call(c1, 'execution_start', {
    session_id: 'sess-e2e',
    main_agent_context: { user_request: 'rename the config loader', expected_outcome: 'tests pass',
      main_agent_reasoning: 'refactoring agent', risk_assessment: 'breaking imports' },
    agent_metadata: { name: 'refactor-bot', version: 'v2.0', tools_available: ['Edit', 'Bash'] },
  });
  id = s.execution_id;
  assert.match(id, /^[0-9a-f-]{36}$/);
  await call(c1, 'execution_delegate', { execution_id: id,
    delegation: { prompt_sent: 'Rename load_cfg to load_config everywhere', instructions: 'run tests' } });
  const a1 = await call(c1, 'execution_log_action', { execution_id: id,
    action: { tool: 'Edit', action: 'rename', input: 'src/config.py', output: 'ok', success: true } });
  assert.equal(a1.recorded, 1);
  const a2 = await call(c1, 'execution_log_action', { execution_id: id, actions: [
    { tool: 'Bash', action: 'run tests', input: 'pytest', output: '3 passed', success: true },
    { tool: 'Bash', action: 'lint', input: 'ruff', output: 'E501', success: false, error: 'line too long' }] });
  assert.equal(a2.recorded, 2);
  await call(c1, 'execution_respond', { execution_id: id,
    output: { raw_response: 'Renamed; 3 tests pass', files_modified: ['src/config.py'] } });
  const done = await call(c1, 'execution_complete', { execution_id: id,
    verification: { status: 'PARTIAL', expected_vs_actual: 'lint fails' },
    quality_metrics: { completeness: 'HIGH', accuracy: 'HIGH', efficiency: 'MEDIUM' } });
  assert.equal(done.execution_id, id);
  assert.equal(done.verification.status, 'PARTIAL');
});
await t('get_execution equals exectrail show --json', async () => {
  const rec = await call(c1, 'get_execution', { execution_id: id });
  assert.deepEqual(rec, show(id));
  assert.equal(rec.execution.actions_taken.length, 3);
  assert.equal(rec.delegation.prompt_sent, 'Rename load_cfg to load_config everywhere');
});
await t('reads: query, search, similar, reports, insights', async () => {
  const q = await call(c1, 'query_executions', { query: 'agent_metadata name refactor-bot' });
  assert.equal(q.count, 1);
  assert.equal(q.executions[0].execution_id, id);
  const s = await call(c1, 'search_executions', { query: 'load_config' });
  assert.equal(s.hits[0].execution_id, id);
  await call(c1, 'similar_executions', { execution_id: id });
  await call(c1, 'report_daily', {});
  await call(c1, 'agent_performance', {});
  await callErr(c1, 'agent_performance', { days: 367 }, ['days']);
  await call(c1, 'agent_performance', { agent: 'refactor-bot', days: 366 });
  const ins = await call(c1, 'insights', {});
  assert.ok(Array.isArray(ins.insights));
});
await t('integrity: verify_ledger and inclusion_proof', async () => {
  const v = await call(c1, 'verify_ledger', {});
  assert.equal(v.ok, true);
  assert.ok(v.events >= 6);
  const p = await call(c1, 'inclusion_proof', { execution_id: id });
  assert.ok(JSON.stringify(p).includes(id) || Object.keys(p).length > 0);
});
await t('notes: execution_note and execution_score beside the automatic score', async () => {
  const nt = await call(c1, 'execution_note', { execution_id: id, text: 'lint needs a follow-up',
    author: 'e2e', tags: ['lint'] });
  assert.equal(nt.execution_id, id);
  const sc = await call(c1, 'execution_score', { execution_id: id, score: 0.6, reason: 'lint fails' });
  assert.equal(sc.score, 0.6);
  await callErr(c1, 'execution_score', { execution_id: id, score: 2 }, ['score']);
  const rec = await call(c1, 'get_execution', { execution_id: id });
  assert.deepEqual(rec, show(id));
  assert.equal(rec.feedback.human_score, 0.6);
  assert.equal(rec.quality_metrics.completeness, 'HIGH');
  assert.equal(rec.feedback.notes[0].text, 'lint needs a follow-up');
});
await t('bad tool arguments: isError naming the argument', async () => {
  await callErr(c1, 'get_execution', {}, ['execution_id']);
  await callErr(c1, 'get_execution', { execution_id: 42 }, ['execution_id', 'string']);
  await callErr(c1, 'query_executions', { query: 'duration_ms >> 5' }, ['query', 'column']);
  await callErr(c1, 'query_executions', { limit: 'ten' }, ['limit']);
  await callErr(c1, 'execution_log_action', { execution_id: id }, ['action']);
  await callErr(c1, 'execution_log_action', { execution_id: id,
    action: { tool: 'Edit' } }, []); // after complete: state conflict
  await callErr(c1, 'execution_delegate', { execution_id: '00000000-0000-4000-8000-000000000000',
    delegation: { prompt_sent: 'x' } }, []);
  await callErr(c1, 'search_memory_facts', { query: 'x', max_facts: 0 }, ['max_facts']);
  await callErr(c1, 'add_memory', { name: 'Execution Start: x', episode_body: '{', source: 'json' },
    ['episode_body']);
  // a free-form episode is a ledger note of its group, found again
  const note = await call(c1, 'add_memory', { name: 'a note', episode_body: 'hello from the e2e client',
    source: 'text', source_description: 'e2e', group_id: 'e2e-notes' });
  assert.match(note.result.message, /stored as note/);
  const nf = await call(c1, 'search_memory_facts', { query: 'hello e2e', group_ids: ['e2e-notes'] });
  assert.equal(nf.result.facts[0].uuid, note.result.uuid);
  await callErr(c1, 'add_memory', { name: 'again', episode_body: 'x', uuid: note.result.uuid }, ['uuid']);
  const ne = await call(c1, 'get_episodes', { group_ids: ['e2e-notes'] });
  assert.ok(ne.result.episodes.some((e) => e.uuid === note.result.uuid && e.content === 'hello from the e2e client'));
  await callErr(c1, 'delete_episode', { uuid: note.result.uuid }, ['append-only', 'ledger note']);
  await assert.rejects(c1.callTool({ name: 'no_such_tool', arguments: {} }), /no_such_tool/);
});

// ---------------- the spec's graphiti-memory calls, verbatim ----------------
const EID = '3f2b8c1e-7d4a-4b6e-9f10-2a3b4c5d6e7f';
// as Python's json.dumps of the spec's dicts (naive isoformat() times)
const executionContext = {
  execution_id: EID, session_id: 'main-session-42',
  timestamp_start: '2025-01-16T10:30:00.123456',
  user_request: 'Add OAuth login to the API', selected_agent: 'backend-dev',
  selection_reasoning: 'API and auth work', expected_outcome: 'login endpoint returns a token',
  risk_factors: ['credential leakage', 'breaking sessions'],
};
await t('spec: add_memory "Execution Start" (pre-delegation context)', async () => {
  const r = await call(c1, 'add_memory', {
    name: `Execution Start: ${executionContext.execution_id}`,
    episode_body: JSON.stringify(executionContext),
    source: 'json', source_description: 'Pre-delegation execution context',
    group_id: 'execution_tracking' });
  assert.match(r.result.message, /recorded as execution/);
  const rec = show(EID);
  assert.equal(rec.agent_metadata.name, 'backend-dev');
  assert.equal(rec.main_agent_context.user_request, 'Add OAuth login to the API');
  // the same episode again changes nothing
  await call(c1, 'add_memory', { name: `Execution Start: ${EID}`,
    episode_body: JSON.stringify(executionContext), source: 'json',
    source_description: 'Pre-delegation execution context', group_id: 'execution_tracking' });
  assert.deepEqual(show(EID), rec);
});
await t('spec: add_memory "Execution Complete" merges into the execution', async () => {
  const completeRecord = {
    ...executionContext,
    timestamp_end: '2025-01-16T10:40:00.000000',
    subagent_response: { actual_outcome: 'endpoint added',
      actions_taken: [{ tool: 'Edit', action: 'add route', input: 'src/auth.py', output: 'ok', success: true }],
      files_modified: ['config/secrets.yaml', 'src/auth.py'], api_calls_made: ['github: open PR'] },
    verification: { status: 'MISMATCH', expected_vs_actual: 'no token returned' },
    quality_metrics: { completeness: 'LOW', accuracy: 'LOW', efficiency: 'HIGH' },
    learning_insights: { insights_gained: ['check token flow first'] },
  };
  await call(c1, 'add_memory', {
    name: `Execution Complete: ${EID}`, episode_body: JSON.stringify(completeRecord),
    source: 'json', source_description: 'Complete execution record', group_id: 'execution_tracking' });
  const rec = show(EID);
  assert.equal(rec.verification.status, 'MISMATCH');
  assert.equal(rec.duration_ms, 599877);
  assert.deepEqual(rec.output.files_modified, ['config/secrets.yaml', 'src/auth.py']);
  assert.equal(rec.execution.actions_taken.length, 1);
  const q = await call(c1, 'query_executions', { query: 'verification status MISMATCH' });
  assert.ok(q.executions.some((e) => e.execution_id === EID));
});
const specQueries = [
  ['duration_ms > 300000', 'duration_ms', 599877],
  ['verification status ERROR MISMATCH', 'verification.status', 'MISMATCH'],
  ['quality_metrics completeness LOW accuracy LOW', 'quality_metrics.completeness', 'LOW'],
  ['quality_metrics completeness HIGH accuracy HIGH efficiency HIGH', null, null],
  ['files_modified secrets auth credentials config', 'output.files_modified[0]', 'config/secrets.yaml'],
  ['api_calls_made github aws gcp', 'output.api_calls_made[0]', 'github: open PR'],
];
for (const [query, field, value] of specQueries) {
  await t(`spec: search_memory_facts "${query}"`, async () => {
    const r = await call(c1, 'search_memory_facts', { query, group_ids: ['execution_tracking'] });
    const facts = r.result.facts.filter((f) => f.execution_id === EID);
    if (field === null) {
      assert.equal(facts.length, 0, 'the LOW/LOW execution must not match');
      return;
    }
    const f = facts.find((x) => x.field === field);
    assert.ok(f, `no fact for ${field}: ${JSON.stringify(r.result.facts)}`);
    assert.deepEqual(f.value, value);
    assert.ok(f.fact.includes(EID) && f.fact.includes(field));
    assert.equal(f.group_id, 'execution_tracking');
  });
}
await t('spec: the HIGH query finds the HIGH/HIGH/MEDIUM execution only if all three are HIGH', async () => {
  const r = await call(c1, 'search_memory_facts', {
    query: 'quality_metrics completeness HIGH accuracy HIGH', group_ids: ['execution_tracking'] });
  assert.ok(r.result.facts.some((f) => f.execution_id === id && f.field === 'quality_metrics.completeness'));
});
await t('graphiti older names and refusals', async () => {
  const r = await call(c1, 'search_facts', { query: 'duration_ms > 300000', group_ids: 'execution_tracking', max_facts: 1 });
  assert.equal(r.result.facts.length, 1);
  const nodes = await call(c1, 'search_nodes', { query: 'OAuth' });
  assert.equal(nodes.result.nodes[0].uuid, EID);
  const old = await call(c1, 'search_memory_nodes', { query: 'OAuth', max_nodes: 1 });
  assert.equal(old.result.nodes.length, 1);
  const eps = await call(c1, 'get_episodes', { max_episodes: 5, group_ids: ['execution_tracking'] });
  assert.equal(eps.result.episodes.length, 2);
  await call(c1, 'get_status', {});
  await callErr(c1, 'delete_episode', { uuid: EID }, ['append-only']);
  await callErr(c1, 'clear_graph', {}, ['append-only']);
  assert.equal(show(EID).execution_id, EID);
  const ep2 = await call(c1, 'add_episode', { name: `Execution Start: ${EID}`,
    episode_body: JSON.stringify(executionContext), source: 'json' });
  assert.match(ep2.result.message, /recorded/);
});
await c1.close();

// ---------------- 2.x client ----------------
await t('client 2.x pinned to 2026-07-28: server/discover and tools', async () => {
  const c2 = new Client2({ name: 'e2e-client2', version: '2.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await c2.connect(new Stdio2(params()));
  try {
    assert.equal(c2.getNegotiatedProtocolVersion(), '2026-07-28');
    const d = await c2.discover();
    assert.ok(d.supportedVersions.includes('2026-07-28'));
    const l = await c2.listTools();
    // the 2.x client may follow nextCursor itself
    assert.ok(l.nextCursor ? l.tools.length === 10 : l.tools.length === tools.size, `${l.tools.length}`);
    const r = await c2.callTool({ name: 'get_execution', arguments: { execution_id: id } });
    assert.deepEqual(r.structuredContent, show(id));
    const f = await c2.callTool({ name: 'search_memory_facts',
      arguments: { query: 'duration_ms > 300000', group_ids: ['execution_tracking'] } });
    assert.ok(f.structuredContent.result.facts.length >= 1);
  } finally {
    await c2.close();
  }
});
await t('client 2.x legacy mode (initialize) and auto mode', async () => {
  for (const mode of ['legacy', 'auto']) {
    const c2 = new Client2({ name: 'e2e-client2', version: '2.0.0' },
      { versionNegotiation: { mode } });
    await c2.connect(new Stdio2(params()));
    try {
      assert.ok(c2.getNegotiatedProtocolVersion(), mode);
      const r = await c2.callTool({ name: 'query_executions', arguments: { query: 'agent_metadata name backend-dev' } });
      assert.equal(r.structuredContent.count, 1);
    } finally {
      await c2.close();
    }
  }
});

done();
