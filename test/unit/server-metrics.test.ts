import { counterDelta, parseServerCounters, total } from '../../bench/server-metrics';

const before = `# HELP service_requests service_requests counter
# TYPE service_requests counter
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="frontend"} 10
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} 99
service_requests{namespace="other",operation="RespondWorkflowTaskCompleted",service_name="frontend"} 2
service_requests{namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} 4
persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} 40
persistence_requests_bucket{operation="UpdateWorkflowExecution",le="1"} 7
`;

const after = before
  .replace('service_name="frontend"} 10', 'service_name="frontend"} 25')
  .replace(
    'operation="UpdateWorkflowExecution",service_name="history"} 40',
    'operation="UpdateWorkflowExecution",service_name="history"} 1.03e2',
  );

test('the frontend RPCs and persistence operations, summed by operation', () => {
  const counters = parseServerCounters(before);
  // The history service's own calls are internal hops, not round-trips a worker makes.
  expect(counters.rpcs).toEqual({ RespondWorkflowTaskCompleted: 12, SignalWorkflowExecution: 4 });
  expect(counters.persistence).toEqual({ UpdateWorkflowExecution: 40 });
});

test('a delta keeps what moved, busiest first', () => {
  const delta = counterDelta(parseServerCounters(before), parseServerCounters(after));
  expect(delta.rpcs).toEqual({ RespondWorkflowTaskCompleted: 15 });
  expect(delta.persistence).toEqual({ UpdateWorkflowExecution: 63 });
  expect(total(delta.rpcs)).toBe(15);
});
