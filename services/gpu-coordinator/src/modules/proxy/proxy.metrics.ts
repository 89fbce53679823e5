// The model endpoints' metrics (SPEC §7.4); the mesh's (queue depth, in flight, node up, breaker, rejections)
// are the mesh module's. Labels are configured node names, served model names, classes and outcome codes.
import { Counter, Gauge, Histogram, type Metrics } from '@robbie/service-kit'

export function createProxyMetrics (metrics: Pick<Metrics, 'registry'>) {
  const registers = [metrics.registry]
  return {
    requests: new Counter({ name: 'robbie_gpu_requests_total', help: 'Model calls by node, model, class and outcome', labelNames: ['node', 'model', 'class', 'outcome'], registers }),
    ttft: new Histogram({
      name: 'robbie_gpu_ttft_seconds',
      help: 'Time from the call to a node to its first byte',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 180],
      registers
    }),
    tokensPerSecond: new Gauge({ name: 'robbie_gpu_tokens_per_second', help: 'Decode speed of the last call per node and model', labelNames: ['node', 'model'], registers }),
    failovers: new Counter({ name: 'robbie_gpu_failovers_total', help: 'Calls moved to another node before its first byte', registers }),
    gpuSeconds: new Counter({ name: 'robbie_gpu_seconds_total', help: 'Node time spent on model calls, by kind of identity', labelNames: ['identity_kind'], registers })
  }
}
export type ProxyMetrics = ReturnType<typeof createProxyMetrics>
