// SPDX-License-Identifier: MIT
// Make a large OTLP trace request with the OpenTelemetry JS SDK, for
// measuring `exectrail import otlp`: N agents (invoke_agent), each with
// 10 tools (execute_tool, one failing) and a chat span, serialized by the
// SDK's own serializers. usage: node gen-load.mjs N OUT.pb OUT.json
import { writeFileSync } from 'node:fs';
import * as api from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  TracerProvider, InMemorySpanExporter, SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import {
  ProtobufTraceSerializer, JsonTraceSerializer,
} from '@opentelemetry/otlp-transformer';

const [n, outPb, outJson] = [Number(process.argv[2] || 1000), process.argv[3],
  process.argv[4]];
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'load' }),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const tracer = provider.getTracer('load', '1.0.0');
const t0 = Date.UTC(2026, 0, 15);
for (let i = 0; i < n; i++) {
  const start = t0 + i * 1000;
  const agent = tracer.startSpan(`invoke_agent worker-${i % 7}`, {
    startTime: new Date(start),
    attributes: {
      'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': `worker-${i % 7}`,
      'gen_ai.conversation.id': `conv-${i % 50}`, 'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1000 + i, 'gen_ai.usage.output_tokens': 100,
    },
  });
  const ctx = api.trace.setSpan(api.context.active(), agent);
  const chat = tracer.startSpan('chat claude-sonnet-4-5', { startTime: new Date(start + 1) }, ctx);
  chat.end(new Date(start + 5));
  for (let k = 0; k < 10; k++) {
    const tool = tracer.startSpan('execute_tool Bash', {
      startTime: new Date(start + 10 + k * 50),
      attributes: {
        'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash',
        'gen_ai.tool.call.id': `call-${i}-${k}`,
        'gen_ai.tool.call.arguments': `{"command":"make test-${k}"}`,
      },
    }, ctx);
    if (k === 9) tool.setStatus({ code: api.SpanStatusCode.ERROR, message: 'failed' });
    tool.end(new Date(start + 50 + k * 50));
  }
  agent.end(new Date(start + 900));
}
const spans = exporter.getFinishedSpans();
writeFileSync(outPb, ProtobufTraceSerializer.serializeRequest(spans));
writeFileSync(outJson, JsonTraceSerializer.serializeRequest(spans));
console.log(`${spans.length} spans`);
