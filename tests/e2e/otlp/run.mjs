// SPDX-License-Identifier: MIT
// OTLP ingest end to end with the official OpenTelemetry JS SDK: GenAI spans
// (a planner agent delegating to a subagent, a tool that fails, a tool under
// a chat span, an unknown span) and Claude Code style log events are made by
// the real SDK, serialized by the real OTLP serializers (protobuf and JSON,
// as the exporters send them), imported with `exectrail import otlp`, and
// read back field by field with `exectrail show --json` and `list`.
// Environment: EXECTRAIL (the binary), T_DIR (a scratch directory).
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as api from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  TracerProvider, InMemorySpanExporter, SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import {
  LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  ProtobufTraceSerializer, JsonTraceSerializer, ProtobufLogsSerializer,
  JsonLogsSerializer,
} from '@opentelemetry/otlp-transformer';

const BIN = process.env.EXECTRAIL;
const DIR = process.env.T_DIR;
const DB = join(DIR, 'otlp-e2e.db');
let n = 0, failed = 0;

function ok(cond, name, detail) {
  n++;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (detail !== undefined) console.log(`#   ${JSON.stringify(detail)}`);
  }
}
function eq(got, want, name) {
  ok(JSON.stringify(got) === JSON.stringify(want), name, { got, want });
}
function et(...args) {
  return spawnSync(BIN, ['--db', DB, ...args], { encoding: 'utf8' });
}
function show(id) {
  return JSON.parse(execFileSync(BIN, ['--db', DB, 'show', '--json', id],
    { encoding: 'utf8' }));
}

// ---- spans from the real SDK ----
const resource = resourceFromAttributes({ 'service.name': 'e2e-orchestrator' });
function makeSpans(conv) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource, spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('e2e.genai', '1.0.0');
  const t0 = Date.UTC(2026, 0, 15, 10, 0, 0);
  const at = (ms) => new Date(t0 + ms);
  const under = (span) => api.trace.setSpan(api.context.active(), span);

  const planner = tracer.startSpan('invoke_agent planner', {
    kind: api.SpanKind.INTERNAL, startTime: at(0),
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.agent.name': 'planner',
      'gen_ai.agent.id': 'agent-planner-7',
      'gen_ai.agent.description': 'plans and delegates the refactor',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.usage.input_tokens': 1500,
      'gen_ai.usage.output_tokens': 420,
      'gen_ai.conversation.id': conv,
    },
  });
  const sub = tracer.startSpan('invoke_agent reviewer', {
    startTime: at(100),
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'reviewer',
      'gen_ai.conversation.id': conv,
      'gen_ai.usage.input_tokens': 900,
      'gen_ai.usage.output_tokens': 120,
    },
  }, under(planner));
  const bash = tracer.startSpan('execute_tool Bash', {
    startTime: at(200),
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Bash',
      'gen_ai.tool.call.id': 'call_bash_1',
      'gen_ai.tool.call.arguments': '{"command":"npm test"}',
      'error.type': 'exit_code_1',
    },
  }, under(sub));
  bash.setStatus({ code: api.SpanStatusCode.ERROR, message: '3 tests failed' });
  bash.end(at(1700));
  const chat = tracer.startSpan('chat claude-sonnet-4-5', {
    kind: api.SpanKind.CLIENT, startTime: at(110),
    attributes: { 'gen_ai.operation.name': 'chat' },
  }, under(sub));
  const read = tracer.startSpan('execute_tool Read', {
    startTime: at(120),
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Read',
      'gen_ai.tool.call.id': 'call_read_1',
      'gen_ai.tool.call.result': 'file contents',
    },
  }, under(chat));
  read.end(at(150));
  chat.end(at(180));
  sub.setStatus({ code: api.SpanStatusCode.ERROR, message: 'review failed' });
  sub.end(at(2000));
  const http = tracer.startSpan('GET /health', {
    kind: api.SpanKind.CLIENT, startTime: at(2100),
    attributes: { 'http.request.method': 'GET' },
  }, under(planner));
  http.end(at(2150));
  planner.setStatus({ code: api.SpanStatusCode.OK });
  planner.end(at(3000));
  const spans = exporter.getFinishedSpans();
  const ids = Object.fromEntries(spans.map((s) => [s.name, s.spanContext()]));
  return { spans, ids };
}

function importFile(name, bytes, extra = []) {
  const f = join(DIR, name);
  writeFileSync(f, bytes);
  return et('import', 'otlp', '--json', ...extra, f);
}

function checkTrace(label, conv, r, sets) {
  eq(r.status, 0, `${label}: import exits 0 (${r.stderr.trim()})`);
  const res = JSON.parse(r.stdout);
  eq([res.accepted, res.rejected, res.executions, res.actions, res.raw],
    [6, 0, 2, 2, 2], `${label}: 6 spans: 2 executions, 2 actions, 2 raw`);
  const list = JSON.parse(execFileSync(BIN, ['--db', DB, 'list', '--format', 'json',
    '--limit', '100'], { encoding: 'utf8' }));
  const mine = list.filter((x) => x.session_id === conv);
  eq(mine.map((x) => x.agent).sort(), ['planner', 'reviewer'],
    `${label}: list shows both agents in session ${conv}`);
  const planner = show(mine.find((x) => x.agent === 'planner').execution_id);
  const sub = show(mine.find((x) => x.agent === 'reviewer').execution_id);
  eq(planner.session_id, conv, `${label}: conversation id -> session_id`);
  eq(planner.agent_metadata.configuration, {
    agent_id: 'agent-planner-7', description: 'plans and delegates the refactor',
    model: 'claude-sonnet-4-5', provider: 'anthropic',
    response_model: 'claude-sonnet-4-5-20250929',
  }, `${label}: agent id/description/model/provider -> agent_metadata.configuration`);
  eq(planner.usage, { input_tokens: 1500, model: 'claude-sonnet-4-5-20250929',
    output_tokens: 420 }, `${label}: token usage`);
  eq(planner.timestamp_start, '2026-01-15T10:00:00.000Z', `${label}: start time`);
  eq(planner.duration_ms, 3000, `${label}: duration from the span`);
  eq(planner.parent_execution_id ?? null, null, `${label}: root agent has no parent`);
  eq(sub.parent_execution_id, planner.execution_id,
    `${label}: nested agent -> parent_execution_id`);
  eq(planner.otlp.trace_id, sets.ids['invoke_agent planner'].traceId,
    `${label}: trace id kept`);
  eq(planner.otlp.span_id, sets.ids['invoke_agent planner'].spanId,
    `${label}: span id kept`);
  eq(planner.execution.actions_taken.length, 0, `${label}: planner has no tools`);
  const acts = sub.execution.actions_taken;
  eq(acts.map((a) => [a.sequence, a.tool, a.success]),
    [[1, 'Read', true], [2, 'Bash', false]],
    `${label}: tools under the subagent (also through a chat span), by start time`);
  eq([acts[1].error, acts[1].error_type, acts[1].input, acts[1].tool_use_id,
    acts[1].duration_ms],
  ['3 tests failed', 'exit_code_1', '{"command":"npm test"}', 'call_bash_1', 1500],
  `${label}: failed tool: error, arguments, call id, duration`);
  eq(acts[0].output, 'file contents', `${label}: tool result -> action output`);
  eq(sub.issues.map((i) => [i.type, i.description]), [['ERROR', 'review failed']],
    `${label}: agent error status -> issue`);
}

// protobuf
const conv1 = 'conv-protobuf-1';
const s1 = makeSpans(conv1);
const pb = ProtobufTraceSerializer.serializeRequest(s1.spans);
let r = importFile('traces.pb', pb, ['--content-type', 'application/x-protobuf']);
checkTrace('protobuf', conv1, r, s1);
r = importFile('traces.pb', pb, ['--content-type', 'application/x-protobuf']);
eq(JSON.parse(r.stdout || '{}').duplicates, 6, 'protobuf: a retried request stores nothing twice');

// JSON, gzip
const conv2 = 'conv-json-2';
const s2 = makeSpans(conv2);
const js = JsonTraceSerializer.serializeRequest(s2.spans);
r = importFile('traces.json.gz', gzipSync(js), ['--content-type', 'application/json']);
checkTrace('json+gzip', conv2, r, s2);

// partialSuccess: the client's own deserializer reads our response
const s3 = makeSpans('conv-rejected-3');
const bad = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(s3.spans)).toString());
bad.resourceSpans[0].scopeSpans[0].spans[0].spanId = '00000000000000000000';
const badf = join(DIR, 'bad.json');
writeFileSync(badf, JSON.stringify(bad));
const respf = join(DIR, 'resp.json');
r = et('import', 'otlp', '--response', respf, badf);
eq(r.status, 3, 'a rejected span: exit 3');
const resp = JsonTraceSerializer.deserializeResponse(
  new Uint8Array(execFileSync('cat', [respf])));
eq(resp.partialSuccess?.rejectedSpans, '1', 'JSON partialSuccess.rejectedSpans read by the SDK');
ok(/spanId: 10 bytes, expected 8/.test(resp.partialSuccess?.errorMessage),
  'partialSuccess.errorMessage names the field', resp);
const pbad = ProtobufTraceSerializer.serializeRequest(makeSpans('conv-ok-4').spans);
const pbf = join(DIR, 'ok.pb');
writeFileSync(pbf, pbad);
r = et('import', 'otlp', '--response', respf, pbf);
const presp = ProtobufTraceSerializer.deserializeResponse(
  new Uint8Array(execFileSync('cat', [respf])));
ok(r.status === 0 && !presp.partialSuccess?.rejectedSpans,
  'protobuf response on full success decodes with no rejections', presp);

// two requests, as a BatchSpanProcessor sends them when the planner outlives
// the export interval: the subagent and its tools first, the planner later
const conv5 = 'conv-batched-5';
const s5 = makeSpans(conv5);
const late = new Set(['invoke_agent planner', 'GET /health']);
r = importFile('early.pb', ProtobufTraceSerializer.serializeRequest(
  s5.spans.filter((s) => !late.has(s.name))));
eq(JSON.parse(r.stdout || '{}').executions, 1, 'batched: the subagent is recorded at once');
r = importFile('late.pb', ProtobufTraceSerializer.serializeRequest(
  s5.spans.filter((s) => late.has(s.name))));
const l5 = JSON.parse(execFileSync(BIN, ['--db', DB, 'list', '--format', 'json',
  '--limit', '100'], { encoding: 'utf8' })).filter((x) => x.session_id === conv5);
const sub5 = show(l5.find((x) => x.agent === 'reviewer').execution_id);
eq(sub5.parent_execution_id, l5.find((x) => x.agent === 'planner').execution_id,
  'batched: linked to the planner when it arrives');
eq(sub5.execution.actions_taken.map((a) => a.tool), ['Read', 'Bash'],
  'batched: with its tools');

// ---- logs (Claude Code's events) ----
function makeLogs() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.0');
  const common = { 'session.id': 'cc-session-9', 'prompt.id': 'prompt-1' };
  logger.emit({ severityNumber: SeverityNumber.INFO, body: 'claude_code.user_prompt',
    attributes: { ...common, 'event.name': 'user_prompt', prompt_length: 42 } });
  logger.emit({ severityNumber: SeverityNumber.INFO, body: 'claude_code.tool_result',
    attributes: { ...common, 'event.name': 'tool_result', tool_name: 'Bash',
      tool_use_id: 'toolu_9', success: 'false', duration_ms: 812 } });
  logger.emit({ severityNumber: SeverityNumber.INFO, body: 'claude_code.api_request',
    attributes: { ...common, 'event.name': 'api_request', model: 'claude-sonnet-4-5',
      input_tokens: 100, output_tokens: 20, cost_usd: 0.0012 } });
  return exporter.getFinishedLogRecords();
}
const logs = makeLogs();
for (const [label, bytes, ct] of [
  ['protobuf', ProtobufLogsSerializer.serializeRequest(logs), 'application/x-protobuf'],
  ['json', JsonLogsSerializer.serializeRequest(logs), 'application/json'],
]) {
  r = importFile(`logs-${label}`, bytes, ['--type', 'logs', '--content-type', ct]);
  const res = JSON.parse(r.stdout || '{}');
  if (label === 'protobuf')
    eq([r.status, res.accepted, res.raw], [0, 3, 3], `logs ${label}: 3 records kept as raw events`);
  else
    eq([r.status, res.duplicates], [0, 3], `logs ${label}: the same records in JSON are duplicates`);
}

// nothing stored on a bad body
const before = et('list', '--format', 'ids', '--limit', '1000').stdout;
r = importFile('trunc.pb', pb.slice(0, pb.length - 7), ['--content-type', 'application/x-protobuf']);
eq(r.status, 3, 'truncated protobuf: exit 3');
ok(/not an ExportTraceServiceRequest/.test(r.stderr), 'truncated protobuf: message', r.stderr);
eq(et('list', '--format', 'ids', '--limit', '1000').stdout, before, 'truncated protobuf: nothing stored');
const v = et('verify');
eq(v.status, 0, `the ledger verifies (${v.stdout.trim().split('\n').pop()})`);

console.log(`1..${n}`);
console.log(`${n - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
